"""The supervisors' map: the GeoJSON choropleth of communes and the findings as points
(`services`), and the same as Mapbox Vector Tiles (`tiles`)."""

from inspection.map.services import (
    COORDINATE_DIGITS,
    DEFAULT_TOLERANCE,
    MAP_ROLES,
    MAX_POINTS,
    MAX_TOLERANCE,
    REVIEWED,
    BBox,
    MapFilters,
    check_province,
    commune_features,
    finding_features,
    outline,
    with_counts,
)

__all__ = ["COORDINATE_DIGITS", "DEFAULT_TOLERANCE", "MAP_ROLES", "MAX_POINTS", "MAX_TOLERANCE",
           "REVIEWED", "BBox", "MapFilters", "check_province", "commune_features",
           "finding_features", "outline", "with_counts"]

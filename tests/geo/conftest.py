"""Fixtures of the geo tests: the shared boundary files, each parsed once per session."""

from __future__ import annotations

from typing import Any

import pytest

from geo import boundaries
from geo.units import packaged_units
from tests.conftest import SHARED_DATA

BOUNDARIES = SHARED_DATA / "boundaries"
CAN_THO_FILE = BOUNDARIES / "92_can_tho_wards.geojson"
HAI_PHONG_FILE = BOUNDARIES / "31_hai_phong_wards.geojson"


@pytest.fixture(scope="session")
def can_tho() -> dict[str, Any]:
    return boundaries.load_geojson(CAN_THO_FILE)


@pytest.fixture(scope="session")
def hai_phong() -> dict[str, Any]:
    return boundaries.load_geojson(HAI_PHONG_FILE)


@pytest.fixture(scope="session")
def unit_refs() -> list[boundaries.UnitRef]:
    """Every commune of the package, as the database of the tests holds them."""
    return [boundaries.UnitRef(u.code, u.name, p.code)
            for p in packaged_units().provinces for u in p.communes]


def feature(code: str | None, geometry: dict[str, Any] | None, **properties: Any
            ) -> dict[str, Any]:
    props = {"code": code, **properties} if code is not None else properties
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def square(x: float, y: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}

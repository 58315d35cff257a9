"""GeoJSON text written directly: geometries arrive from the database as GeoJSON text
(ST_AsGeoJSON) and are spliced in as they are, never parsed and re-encoded."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def feature(id: Any, properties: Mapping[str, Any], geometry: str | None) -> str:
    """A Feature; `geometry` is GeoJSON text (None: a feature without one)."""
    return (f'{{"type":"Feature","id":{dumps(id)},"properties":{dumps(properties)},'
            f'"geometry":{geometry or "null"}}}')


def point(lon: float, lat: float) -> str:
    return f'{{"type":"Point","coordinates":[{dumps(lon)},{dumps(lat)}]}}'


def collection(features: Iterable[str], **members: Any) -> str:
    """A FeatureCollection of features' text, with foreign members (e.g. `truncated`)."""
    extra = "".join(f"{dumps(k)}:{dumps(v)}," for k, v in members.items())
    return f'{{"type":"FeatureCollection",{extra}"features":[{",".join(features)}]}}'

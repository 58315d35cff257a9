"""Commune boundaries from GeoJSON: match each feature to a commune, repair or reject its shape.

Pure functions over shapely, no database: the report says, feature by feature, what an import
would write (a valid 2D MultiPolygon in SRID 4326 per matched commune) and what it would refuse.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, shape

SRID = 4326
ACCEPTED = ("ok", "repaired")
REFUSED = ("rejected", "unmatched", "duplicate")
STATUS_LABELS = {"ok": "hợp lệ", "repaired": "đã sửa", "rejected": "bị từ chối",
                 "unmatched": "không khớp đơn vị", "duplicate": "trùng đơn vị"}
UNIT_PREFIXES = ("Phường", "Xã", "Đặc khu")
NAME_KEYS = ("fullName", "full_name", "FullName", "name", "Name", "ten")
CODE_KEYS = ("code", "Code", "ma")
# GEOS validity reasons, as a person reading the report understands them.
INVALIDITY = {
    "Self-intersection": "đường biên tự cắt",
    "Ring Self-intersection": "vòng biên tự cắt",
    "Too few points in geometry component": "quá ít điểm",
    "Too few points": "quá ít điểm",
    "Hole lies outside shell": "lỗ nằm ngoài vỏ",
    "Nested holes": "lỗ lồng nhau",
    "Nested shells": "vỏ lồng nhau",
    "Interior is disconnected": "phần trong bị chia cắt",
    "Duplicate Rings": "vòng trùng nhau",
    "Invalid Coordinate": "tọa độ không hợp lệ",
    "Ring is not closed": "vòng không khép kín",
}


@dataclass(frozen=True)
class UnitRef:
    """A commune as the matcher needs it."""

    code: str
    name: str
    province_code: str


@dataclass(frozen=True)
class FeatureResult:
    index: int  # 1-based position in the file
    feature_id: str | None
    name: str | None
    code: str | None  # the matched commune, if any
    status: str  # ok | repaired | rejected | unmatched | duplicate
    reason: str | None = None
    geometry: MultiPolygon | None = field(default=None, repr=False, compare=False)

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    def line(self) -> str:
        who = f"#{self.index}"
        if self.feature_id is not None:
            who += f" id={self.feature_id}"
        if self.name:
            who += f" «{self.name}»"
        target = f" → {self.code}" if self.code else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{who}{target} {STATUS_LABELS[self.status]}{why}"


@dataclass(frozen=True)
class BoundaryReport:
    source: str
    province_code: str
    results: tuple[FeatureResult, ...]
    missing: tuple[str, ...] = ()  # communes of the province the file has no feature for

    @property
    def accepted(self) -> tuple[FeatureResult, ...]:
        return tuple(r for r in self.results if r.accepted)

    @property
    def refused(self) -> bool:
        """True when a strict import must write nothing."""
        return any(r.status in REFUSED for r in self.results)

    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in (*ACCEPTED, *REFUSED)}
        for r in self.results:
            counts[r.status] += 1
        return {"features": len(self.results), **counts, "missing": len(self.missing)}

    @property
    def digest(self) -> str:
        """A content hash of what would be written: codes and geometries (WKB)."""
        h = hashlib.sha256()
        for r in sorted(self.accepted, key=lambda r: r.code or ""):
            assert r.geometry is not None and r.code is not None
            h.update(r.code.encode())
            h.update(shapely.to_wkb(r.geometry, output_dimension=2))
        return "sha256:" + h.hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        return {**self.counts(), "repaired_codes": [r.code for r in self.results
                                                    if r.status == "repaired"]}

    def lines(self) -> list[str]:
        """A headline with the counts, then one line per feature that is not plainly ok."""
        c = self.counts()
        head = (f"{self.source} (tỉnh/thành phố {self.province_code}): {c['features']} đối "
                f"tượng; hợp lệ {c['ok']}, đã sửa {c['repaired']}, bị từ chối {c['rejected']}, "
                f"không khớp {c['unmatched']}, trùng {c['duplicate']}; "
                f"{c['missing']} đơn vị chưa có ranh giới trong tệp")
        out = [head] + [r.line() for r in self.results if r.status != "ok"]
        if self.missing:
            out.append("Thiếu ranh giới: " + ", ".join(self.missing))
        return out


def load_geojson(path: Path) -> dict[str, Any]:
    """Read a GeoJSON file; ValueError (in Vietnamese) when it is not a FeatureCollection."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Tệp {Path(path).name} không phải JSON hợp lệ: {exc}") from exc
    features_of(data)
    return data  # type: ignore[no-any-return]


def features_of(collection: Any) -> list[Any]:
    if not isinstance(collection, Mapping) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        raise ValueError("Dữ liệu không phải GeoJSON FeatureCollection.")
    return collection["features"]


# --- names --------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case- and diacritics-insensitive form: 'Phường Hoà Bình' and 'phuong hoa binh' agree."""
    text = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch))
    return " ".join(bare.split())


def base_name(name: str) -> str:
    """The name without its unit-type prefix: 'Phường Cái Khế' → 'Cái Khế'."""
    name = unicodedata.normalize("NFC", name).strip()
    for prefix in UNIT_PREFIXES:
        if name.casefold().startswith(prefix.casefold() + " "):
            return name[len(prefix) + 1:].strip()
    return name


def _strip_folded_prefix(folded: str) -> str:
    for prefix in UNIT_PREFIXES:
        p = fold(prefix) + " "
        if folded.startswith(p):
            return folded[len(p):]
    return folded


class NameIndex:
    """Finds a commune of one province by name: exact NFC first, then folded, then folded
    without the unit-type prefix. Each step must give one commune; two is ambiguous."""

    def __init__(self, units: Iterable[UnitRef]):
        self.units = list(units)

    def match(self, names: Sequence[str]) -> tuple[str | None, str | None]:
        """(code, None) on a match, (None, reason) otherwise."""
        nfc = [unicodedata.normalize("NFC", n).strip() for n in names]
        steps: list[Callable[[UnitRef], bool]] = [
            lambda u: any(n in (u.name, base_name(u.name)) for n in nfc),
            lambda u: any(fold(n) in (fold(u.name), fold(base_name(u.name))) for n in nfc),
            lambda u: any(_strip_folded_prefix(fold(n)) == fold(base_name(u.name))
                          for n in nfc),
        ]
        for step in steps:
            found = sorted({u.code for u in self.units if step(u)})
            if len(found) == 1:
                return found[0], None
            if len(found) > 1:
                return None, f"tên khớp nhiều đơn vị ({', '.join(found)})"
        return None, "không tìm thấy đơn vị có tên này trong tỉnh/thành phố"


# --- geometry -----------------------------------------------------------------------------

def _invalidity(geom: Any) -> str:
    reason = str(shapely.is_valid_reason(geom))
    for prefix, text in INVALIDITY.items():
        if reason.startswith(prefix):
            return text + reason[len(prefix):].split("[", 1)[0].rstrip() + _where(reason)
    return reason


def _where(reason: str) -> str:
    """GEOS appends the place as '[x y]'; keep it, it helps find the problem on a map."""
    return " tại " + reason.split("[", 1)[1].rstrip("]") if "[" in reason else ""


def _polygonal(geom: Any) -> MultiPolygon:
    parts = [p for p in shapely.get_parts(shapely.get_parts(geom))
             if isinstance(p, Polygon) and not p.is_empty and p.area > 0]
    if not parts:
        return MultiPolygon()
    if len(parts) == 1:
        return MultiPolygon(parts)
    merged = shapely.union_all(parts)
    return MultiPolygon([p for p in shapely.get_parts(merged) if isinstance(p, Polygon)])


def clean_geometry(raw: Any) -> tuple[MultiPolygon | None, str | None]:
    """A valid 2D MultiPolygon from a GeoJSON geometry and, if it had to be repaired, what
    was wrong; or (None, why it is rejected). Coordinates must be WGS84 degrees (SRID 4326)."""
    if not raw:
        return None, "không có hình học"
    try:
        geom = shape(raw)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError,
            GEOSException) as exc:
        return None, f"hình học không đọc được ({exc})"
    if geom.is_empty:
        return None, "hình học rỗng"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"không phải vùng (đa giác) mà là {geom.geom_type}"
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.flat):
        return None, "tọa độ không phải số hữu hạn"
    if (abs(coords[:, 0]) > 180).any() or (abs(coords[:, 1]) > 90).any():
        return None, "tọa độ ngoài phạm vi kinh độ/vĩ độ WGS84 (EPSG:4326)"
    geom = shapely.force_2d(geom)
    if geom.is_valid:
        multi = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])
        return (multi, None) if multi.area > 0 else (None, "diện tích bằng 0")
    why = _invalidity(geom)
    fixed = _polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    if fixed.is_empty or not fixed.is_valid:
        return None, f"hình học không hợp lệ và không sửa được ({why})"
    return fixed, why


# --- the report ---------------------------------------------------------------------------

def _feature_code(feature: Mapping[str, Any]) -> tuple[str | None, str | None]:
    props = feature.get("properties") or {}
    values = [props.get(k) for k in CODE_KEYS] + [feature.get("id")]
    raw = [str(v).strip() for v in values if v is not None and str(v).strip()]
    codes = {c.zfill(5) if c.isdigit() else c for c in raw}
    if not codes:
        return None, None
    if len(codes) > 1:
        return None, f"mã không thống nhất giữa properties.code và id ({', '.join(sorted(codes))})"
    code = codes.pop()
    if not (code.isdigit() and len(code) == 5):
        return None, f"mã {code!r} không phải mã xã 5 chữ số"
    return code, None


def _feature_names(feature: Mapping[str, Any]) -> list[str]:
    props = feature.get("properties") or {}
    return [str(props[k]).strip() for k in NAME_KEYS
            if isinstance(props.get(k), str) and props[k].strip()]


def check_feature(index: int, feature: Any, *, province_code: str,
                  units: Mapping[str, UnitRef], names: NameIndex) -> FeatureResult:
    """Match and clean one feature; `units` holds every commune by code (all provinces)."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        return FeatureResult(index, None, None, None, "rejected", "không phải GeoJSON Feature")
    fid = None if feature.get("id") is None else str(feature.get("id"))
    found = _feature_names(feature)
    label = found[0] if found else None
    code, problem = _feature_code(feature)
    if problem:
        return FeatureResult(index, fid, label, None, "unmatched", problem)
    if code is not None:
        unit = units.get(code)
        if unit is None:
            return FeatureResult(index, fid, label, code, "unmatched",
                                 f"mã {code} không có trong danh mục đơn vị hành chính")
        if unit.province_code != province_code:
            return FeatureResult(index, fid, label, code, "rejected",
                                 f"mã {code} ({unit.name}) thuộc tỉnh/thành phố "
                                 f"{unit.province_code}, không phải {province_code}")
    elif found:
        code, problem = names.match(found)
        if code is None:
            return FeatureResult(index, fid, label, None, "unmatched", problem)
    else:
        return FeatureResult(index, fid, label, None, "unmatched", "không có mã và không có tên")
    geometry, note = clean_geometry(feature.get("geometry"))
    if geometry is None:
        return FeatureResult(index, fid, label, code, "rejected", note)
    return FeatureResult(index, fid, label, code, "repaired" if note else "ok", note, geometry)


def check_features(collection: Any, *, province_code: str, units: Iterable[UnitRef],
                   source: str, progress: Callable[[int], Any] | None = None
                   ) -> BoundaryReport:
    """Check every feature of a FeatureCollection against the unit list (all provinces).
    Two features for one commune are both marked `duplicate`. `progress(n)` is called
    after each feature (e.g. a progress bar's update)."""
    by_code = {u.code: u for u in units}
    province_units = [u for u in by_code.values() if u.province_code == province_code]
    names = NameIndex(province_units)
    results = []
    for i, feature in enumerate(features_of(collection), start=1):
        results.append(check_feature(i, feature, province_code=province_code,
                                     units=by_code, names=names))
        if progress is not None:
            progress(1)
    return _with_duplicates(source, province_code, results, province_units)


def report_from_geometries(source: str, province_code: str,
                           geometries: Mapping[str, MultiPolygon]) -> BoundaryReport:
    """A report for shapes made in code (e.g. synthetic ones), all accepted as they are."""
    results = tuple(FeatureResult(i, code, None, code, "ok", None, geom)
                    for i, (code, geom) in enumerate(sorted(geometries.items()), start=1))
    return BoundaryReport(source, province_code, results)


def _with_duplicates(source: str, province_code: str, results: list[FeatureResult],
                     province_units: list[UnitRef]) -> BoundaryReport:
    by_code: dict[str, list[int]] = {}
    for r in results:
        if r.code is not None and r.status != "unmatched":
            by_code.setdefault(r.code, []).append(r.index)
    out = []
    for r in results:
        twins = by_code.get(r.code or "", [])
        if len(twins) > 1 and r.status != "unmatched":
            others = ", ".join(f"#{i}" for i in twins if i != r.index)
            r = replace(r, status="duplicate", geometry=None,
                        reason=f"cùng đơn vị {r.code} với đối tượng {others}")
        out.append(r)
    covered = set(by_code)
    missing = tuple(sorted(u.code for u in province_units if u.code not in covered))
    return BoundaryReport(source, province_code, tuple(out), missing)

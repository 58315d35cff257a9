"""Administrative unit lists: from the vietnam-provinces package or an official JSON file."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    unit_type: str


@dataclass(frozen=True)
class ProvinceRecord:
    code: str
    name: str
    unit_type: str
    communes: tuple[UnitRecord, ...]


@dataclass(frozen=True)
class UnitList:
    source: str
    version: str
    provinces: tuple[ProvinceRecord, ...]

    @property
    def commune_count(self) -> int:
        return sum(len(p.communes) for p in self.provinces)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def packaged_units() -> UnitList:
    """The units shipped by the vietnam-provinces package (official codes, Decision 19/2025)."""
    import vietnam_provinces as vp
    from vietnam_provinces import Province, Ward

    by_province: dict[str, list[UnitRecord]] = {}
    for ward in Ward.iter_all():
        pcode = f"{int(ward.province_code):02d}"
        by_province.setdefault(pcode, []).append(
            UnitRecord(f"{int(ward.code):05d}", nfc(ward.name), str(ward.division_type.value)))
    provinces = tuple(
        ProvinceRecord(f"{int(p.code):02d}", nfc(p.name), str(p.division_type.value),
                       tuple(sorted(by_province.get(f"{int(p.code):02d}", []),
                                    key=lambda u: u.code)))
        for p in sorted(Province.iter_all(), key=lambda p: int(p.code))
    )
    return UnitList(source="vietnam-provinces", version=f"{vp.__version__} (data "
                    f"{vp.__data_version__})", provinces=provinces)


def _unit_type(full_name: str) -> str:
    lowered = full_name.lower()
    for prefix in ("thành phố", "tỉnh", "phường", "xã", "đặc khu"):
        if lowered.startswith(prefix):
            return "thành phố trung ương" if prefix == "thành phố" else prefix
    return ""


def read_official_json(path: Path, version: str | None = None) -> UnitList:
    """Read the statistics office's list as published: `[{Code, FullName, Wards: [...]}]`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    provinces = []
    for p in data:
        communes = tuple(sorted(
            (UnitRecord(str(w["Code"]).zfill(5), nfc(w["FullName"]), _unit_type(w["FullName"]))
             for w in p.get("Wards", [])), key=lambda u: u.code))
        provinces.append(ProvinceRecord(str(p["Code"]).zfill(2), nfc(p["FullName"]),
                                        _unit_type(p["FullName"]), communes))
    return UnitList(source=Path(path).name, version=version or Path(path).stem,
                    provinces=tuple(sorted(provinces, key=lambda p: p.code)))

"""The unit list: what the package seeded against the official list of 2026-07-25, and loading
an official list from the command line."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select

from api.cli_geo import geo
from geo.units import read_official_json
from inspection.models import AuditEntry, Commune, Province, ReferenceDataset
from tests.conftest import SHARED_DATA

UNITS_FILE = SHARED_DATA / "vn_units_2026-07-25.json"
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng

# Every difference between the package's list and the official file that we accept, by code.
# Anything else (a new rename, a move, a code on one side only) fails the test.
TONE_PLACEMENT_COMMUNES = 182  # e.g. package "Xã Phú Hòa 1", file "Xã Phú Hoà 1"
TONE_PLACEMENT_PROVINCES = {"38": ("Tỉnh Thanh Hóa", "Tỉnh Thanh Hoá"),
                            "56": ("Tỉnh Khánh Hòa", "Tỉnh Khánh Hoà")}
PROVINCE_TYPE = {"22": ("Thành phố Quảng Ninh", "Tỉnh Quảng Ninh"),
                 "24": ("Thành phố Bắc Ninh", "Tỉnh Bắc Ninh")}
# Đồng Nai (75): ten units the file already lists as wards ("Phường") that the package still
# lists as communes ("Xã"), same codes and same names otherwise.
DONG_NAI_WARDS = {"25270": "Lộc Ninh", "25357": "Tân Khai", "25363": "Đồng Phú",
                  "26116": "Tân Phú", "26170": "Trị An", "26248": "Trảng Bom",
                  "26326": "Dầu Giây", "26368": "Long Thành", "26425": "Xuân Lộc",
                  "26485": "Nhơn Trạch"}
ONLY_IN_PACKAGE = {"06970": ("22", "Xã Ba Chẽ")}
ONLY_IN_FILE = {"06978": ("22", "Xã Ba Chẽ")}


def _words_and_tones(name: str) -> list[tuple[str, str]]:
    """Each word without its tone mark, and the mark: equal lists mean the names differ at
    most in where the tone mark sits ("Hòa" / "Hoà")."""
    out = []
    for word in name.split():
        decomposed = unicodedata.normalize("NFD", word)
        out.append(("".join(c for c in decomposed if c not in TONE_MARKS),
                    "".join(c for c in decomposed if c in TONE_MARKS)))
    return out


def _tone_placement_only(a: str, b: str) -> bool:
    return a != b and _words_and_tones(a) == _words_and_tones(b)


def test_the_seeded_units_match_the_official_list_except_the_named_differences(session):
    official = read_official_json(UNITS_FILE)
    seeded_provinces = {p.code: p.name for p in session.scalars(select(Province))}
    seeded = {c.code: (c.province_code, c.name) for c in session.scalars(select(Commune))}
    listed = {u.code: (p.code, u.name) for p in official.provinces for u in p.communes}

    assert len(seeded_provinces) == len(official.provinces) == 34
    assert len(seeded) == len(listed) == 3321
    assert {c: seeded[c] for c in seeded.keys() - listed.keys()} == ONLY_IN_PACKAGE
    assert {c: listed[c] for c in listed.keys() - seeded.keys()} == ONLY_IN_FILE

    province_diffs = {p.code: (seeded_provinces[p.code], p.name) for p in official.provinces
                      if seeded_provinces[p.code] != p.name}
    assert province_diffs == {**TONE_PLACEMENT_PROVINCES, **PROVINCE_TYPE}
    assert all(_tone_placement_only(*names) for names in TONE_PLACEMENT_PROVINCES.values())

    tone_only, other = [], {}
    for code in sorted(seeded.keys() & listed.keys()):
        (seeded_province, seeded_name), (listed_province, listed_name) = seeded[code], listed[code]
        assert seeded_province == listed_province, code
        if _tone_placement_only(seeded_name, listed_name):
            tone_only.append(code)
        elif seeded_name != listed_name:
            other[code] = (seeded_name, listed_name)
    assert len(tone_only) == TONE_PLACEMENT_COMMUNES
    assert other == {code: (f"Xã {name}", f"Phường {name}")
                     for code, name in DONG_NAI_WARDS.items()}
    assert {seeded[code][0] for code in DONG_NAI_WARDS} == {"75"}


def test_every_seeded_name_is_nfc(session):
    names = [*session.scalars(select(Province.name)), *session.scalars(select(Commune.name))]
    assert names and all(unicodedata.is_normalized("NFC", n) for n in names)


def test_import_units_loads_the_official_file_and_records_its_version(app, session):
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    result = app.test_cli_runner().invoke(
        geo, ["import-units", str(UNITS_FILE), "--version", "2026-07-25"])

    assert result.exit_code == 0, result.output
    assert "34 tỉnh/thành phố, 3321 xã/phường" in result.output
    dataset = session.scalars(select(ReferenceDataset).where(
        ReferenceDataset.kind == "units",
        ReferenceDataset.source == "vn_units_2026-07-25.json")).one()
    assert (dataset.source, dataset.version) == ("vn_units_2026-07-25.json", "2026-07-25")
    assert dataset.summary["added"] == 1 and dataset.summary["absent"] == ["06970"]
    assert dataset.summary["moved"] == []
    assert len(dataset.summary["renamed"]) == TONE_PLACEMENT_COMMUNES + len(DONG_NAI_WARDS)
    assert dataset.summary["provinces_renamed"] == ["22", "24", "38", "56"]
    session.expire_all()
    assert session.get(Commune, "26368").name == "Phường Long Thành"
    assert session.get(Commune, "06978").province_code == "22"
    assert session.get(Province, "22").dataset_version == "2026-07-25"
    # One audit entry for the whole load: the dataset row.
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).all()
    assert len(entries) - before == 1
    assert entries[0].entity == "reference_datasets" and entries[0].action == "create"
    assert entries[0].after["version"] == "2026-07-25"


def test_import_units_refuses_a_file_that_is_not_a_unit_list(app, session, tmp_path):
    bad = tmp_path / "units.json"
    bad.write_text('[{"Name": "Cần Thơ"}]', encoding="utf-8")
    result = app.test_cli_runner().invoke(geo, ["import-units", str(bad)])
    assert result.exit_code != 0
    assert "không đúng định dạng" in result.output

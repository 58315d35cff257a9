"""`kt1 geo`: load administrative units and commune boundaries from files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from geo import boundaries
from geo.units import read_official_json
from inspection import audit, errors, reference

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("geo")
def geo() -> None:
    """Reference data: administrative units and commune boundaries."""


def _session():  # type: ignore[no-untyped-def]
    session = current_app.extensions["kt1"].session_factory()
    audit.set_actor(session, None, "cli")
    return session


@geo.command("import-units")
@click.argument("file", type=FILE)
@click.option("--version", "version", default=None,
              help="Dataset version to record (default: the file name without extension).")
@with_appcontext
def import_units(file: Path, version: str | None) -> None:
    """Load an official unit list FILE ([{Code, FullName, Wards: [...]}]); idempotent."""
    try:
        units = read_official_json(file, version)
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"Tệp {file.name} không đúng định dạng danh mục: {exc}") \
            from exc
    with _session() as session:
        dataset = reference.load_units(session, units)
        session.commit()
        s = dataset.summary
    click.echo(f"Đã nạp {units.source} phiên bản {dataset.version}: {s['provinces']} tỉnh/thành "
               f"phố, {s['communes']} xã/phường; thêm {s['added']}, đổi tên {len(s['renamed'])},"
               f" chuyển tỉnh {len(s['moved'])}, không còn trong danh mục {len(s['absent'])}.")
    for key, label in (("provinces_renamed", "Tỉnh/thành phố đổi tên"), ("moved", "Chuyển tỉnh"),
                       ("absent", "Không còn trong danh mục"), ("renamed", "Đổi tên")):
        if s[key]:
            click.echo(f"{label}: {', '.join(s[key])}")


@geo.command("import-boundaries")
@click.argument("file", type=FILE)
@click.option("--province", "province_code", required=True, help="Province code, e.g. 92.")
@click.option("--allow-partial", is_flag=True, default=False,
              help="Import the valid features even if others are rejected or unmatched.")
@with_appcontext
def import_boundaries(file: Path, province_code: str, allow_partial: bool) -> None:
    """Import commune boundaries of one province from a GeoJSON FILE: all or nothing."""
    province_code = province_code.strip().zfill(2)
    try:
        collection = boundaries.load_geojson(file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    with _session() as session:
        count = len(boundaries.features_of(collection))
        with click.progressbar(length=count, label="Kiểm tra ranh giới") as bar:
            report = reference.check_boundaries(session, collection, province_code=province_code,
                                                source=file.name, progress=bar.update)
        for line in report.lines():
            click.echo(line)
        try:
            dataset = reference.import_boundaries(
                session, province_code=province_code, features_report=report,
                source=file.name, allow_partial=allow_partial)
            session.commit()
        except errors.DomainError as exc:
            session.rollback()
            raise click.ClickException(exc.detail) from exc
    click.echo(f"Đã nhập {len(report.accepted)} ranh giới cho tỉnh/thành phố {province_code} "
               f"(phiên bản {dataset.version}).")

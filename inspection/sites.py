"""KT1 sites (service points and user agencies): create, update, read and list, province-scoped.

A site's `commune_code` is derived from its location by point-in-polygon wherever commune
boundaries are loaded. A site lies in its province: a point outside Vietnam's extent
(`geo.territory`; 0, 0 too), in another province's commune, or outside the province's outline
once every commune of it has a boundary, is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from geo import territory
from geo.points import lon_lat, point_wkt
from inspection import errors
from inspection.models import Commune, Province, Site, User
from inspection.models.sites import SITE_KINDS
from inspection.reference import locate_commune, province_outline_known
from inspection.scope import ensure_visible, province_clause, require_role
from inspection.versions import expect_version

WRITERS = ("supervisor", "admin")
EDITABLE = ("name", "kind", "organization", "address", "location")

LonLat = tuple[float, float]


def location_of(site: Site) -> LonLat | None:
    """The site's location as (lon, lat) in SRID 4326, or None."""
    return lon_lat(site.location)


def _visible(actor: User) -> Any:
    clause = province_clause(actor, Site.province_code)
    if actor.role == "post":
        clause = clause & (Site.organization == (actor.organization or ""))
    return clause


def find_site(session: Session, actor: User, site_id: uuid.UUID) -> Site | None:
    """The site if the actor may see it (its province; a post user's own organisation)."""
    return session.scalar(select(Site).where(Site.id == site_id, _visible(actor)))


def get_site(session: Session, actor: User, site_id: uuid.UUID) -> Site:
    site = find_site(session, actor, site_id)
    if site is None:
        raise errors.NotFound("Không tìm thấy cơ sở.")
    return site


def sites_select(actor: User, *, kind: str | None = None, commune_code: str | None = None,
                 q: str | None = None, province_code: str | None = None) -> Select[Any]:
    """Sites the actor may see, filtered; ordered by name."""
    stmt = select(Site).where(_visible(actor))
    if province_code:
        stmt = stmt.where(Site.province_code == province_code)
    if kind:
        stmt = stmt.where(Site.kind == kind)
    if commune_code:
        stmt = stmt.where(Site.commune_code == commune_code)
    if q:
        stmt = stmt.where(Site.name.contains(q, autoescape=True))
    return stmt.order_by(Site.name, Site.id)


def _province_for(session: Session, actor: User, province_code: str | None) -> str:
    if province_code is None:
        if actor.province_code is None:
            raise errors.ValidationFailed("Cần chọn tỉnh, thành phố của cơ sở.",
                                          errors={"province_code": ["required"]})
        return actor.province_code
    if not actor.is_national and province_code != actor.province_code:
        raise errors.Forbidden("Chỉ được tạo cơ sở thuộc tỉnh, thành phố của mình.")
    if session.get(Province, province_code) is None:
        raise errors.ValidationFailed(f"Không có tỉnh, thành phố mã {province_code}.",
                                      errors={"province_code": ["unknown province"]})
    return province_code


def _commune_for(session: Session, province_code: str, location: LonLat) -> str | None:
    """The commune containing `location`, which must lie in `province_code`; None where no
    loaded boundary contains the point. RuleViolation (422) for a point outside Vietnam (0, 0
    included), in a commune of another province, or outside the province's outline where
    every one of its communes has a boundary."""
    lon, lat = location
    if not territory.in_vietnam(lon, lat):
        raise errors.RuleViolation(
            f"Vị trí của cơ sở (kinh độ {lon}, vĩ độ {lat}) nằm ngoài lãnh thổ Việt Nam; hãy "
            "kiểm tra lại tọa độ (có bị để 0, 0 hay đảo kinh độ và vĩ độ không).",
            errors={"location": ["outside Vietnam"]})
    code = locate_commune(session, lon, lat)
    commune = session.get(Commune, code) if code is not None else None
    if commune is not None and commune.province_code != province_code:
        raise errors.RuleViolation(
            f"Vị trí của cơ sở nằm ở {_mid_sentence(commune.name)} ({code}), không thuộc "
            f"{_province_name(session, province_code)}.",
            errors={"location": [f"outside province {province_code}"]})
    if commune is None and province_outline_known(session, province_code):
        raise errors.RuleViolation(
            f"Vị trí của cơ sở nằm ngoài địa giới {_province_name(session, province_code)}.",
            errors={"location": [f"outside province {province_code}"]})
    return code


def _province_name(session: Session, province_code: str) -> str:
    """"thành phố Cần Thơ", as a sentence names the province."""
    province = session.get(Province, province_code)
    return (_mid_sentence(province.name) if province is not None
            else f"tỉnh, thành phố {province_code}")


def _mid_sentence(unit_name: str) -> str:
    """A unit's official name ("Phường Ninh Kiều") as it reads inside a sentence."""
    return unit_name[:1].lower() + unit_name[1:]


def _check_kind(kind: str) -> None:
    if kind not in SITE_KINDS:
        raise errors.ValidationFailed(f"Loại cơ sở phải là một trong: {', '.join(SITE_KINDS)}.",
                                      errors={"kind": ["unknown kind"]})


def create_site(session: Session, actor: User, *, name: str, kind: str, location: LonLat,
                organization: str = "", address: str = "",
                province_code: str | None = None) -> Site:
    """A new site in the actor's province (any province for a national admin)."""
    require_role(actor, *WRITERS)
    _check_kind(kind)
    province = _province_for(session, actor, province_code)
    site = Site(name=name, kind=kind, organization=organization, address=address,
                province_code=province, location=point_wkt(*location),
                commune_code=_commune_for(session, province, location), version=1)
    session.add(site)
    session.flush()
    return site


def update_site(session: Session, actor: User, site_id: uuid.UUID, *,
                expected_version: int | None, changes: Mapping[str, Any]) -> Site:
    """PATCH semantics: only the keys in `changes` (of EDITABLE) change; version + 1.
    A new location re-derives the commune."""
    require_role(actor, *WRITERS)
    site = session.get(Site, site_id, with_for_update=True, populate_existing=True)
    if site is None:
        raise errors.NotFound("Không tìm thấy cơ sở.")
    ensure_visible(actor, site.province_code, "cơ sở")
    expect_version(site.version, expected_version, what="cơ sở")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise errors.ValidationFailed("Không sửa được các trường này.",
                                      errors={k: ["not editable"] for k in unknown})
    if "kind" in changes:
        _check_kind(changes["kind"])
    for key in ("name", "kind", "organization", "address"):
        if key in changes:
            setattr(site, key, changes[key])
    if "location" in changes:
        location: LonLat = changes["location"]
        site.commune_code = _commune_for(session, site.province_code, location)
        site.location = point_wkt(*location)
    site.version += 1
    session.flush()
    return site

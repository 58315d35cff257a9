"""/sites through HTTP: scope, derived commune, ETag/If-Match and validation problems."""

from __future__ import annotations

import uuid

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import select, update

from inspection.models import Commune, Site
from tests import factories

URL = "/api/v1/sites"
PROBLEM = "application/problem+json"
SITE_KEYS = {"id", "name", "kind", "organization", "address", "location", "commune_code",
             "province_code", "version"}


def _square(session, province: str, lon: float, lat: float, half: float = 0.01) -> str:  # type: ignore[no-untyped-def]
    """Give the first commune of `province` a square boundary around (lon, lat)."""
    code = session.scalar(select(Commune.code).where(Commune.province_code == province)
                          .order_by(Commune.code).limit(1))
    x0, x1, y0, y1 = lon - half, lon + half, lat - half, lat + half
    wkt = f"MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"
    session.execute(update(Commune).where(Commune.code == code)
                    .values(geom=WKTElement(wkt, srid=4326)))
    session.flush()
    return code  # type: ignore[no-any-return]


def _supervisor_headers(api, province: str = "92"):  # type: ignore[no-untyped-def]
    return api.login(factories.UserFactory(role="supervisor", province_code=province))


def _body(**overrides):  # type: ignore[no-untyped-def]
    return {"name": "Bưu cục Ninh Kiều", "kind": "kt1_provider",
            "organization": "Bưu điện thành phố Cần Thơ", "address": "2 Hòa Bình, Ninh Kiều",
            "location": {"lon": 105.7469, "lat": 10.0452}, **overrides}


def test_a_supervisor_creates_a_site_and_reads_it_back_with_its_etag(api, client, session):
    headers = _supervisor_headers(api)
    resp = client.post(URL, json=_body(), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == SITE_KEYS
    assert body["location"] == {"lon": 105.7469, "lat": 10.0452}
    assert (body["province_code"], body["version"], body["commune_code"]) == ("92", 1, None)
    assert body["name"] == "Bưu cục Ninh Kiều"
    assert resp.headers["ETag"] == '"1"'
    assert resp.headers["Location"].endswith(f"{URL}/{body['id']}")

    got = client.get(f"{URL}/{body['id']}", headers=headers)
    assert got.status_code == 200 and got.get_json() == body and got.headers["ETag"] == '"1"'
    session.expire_all()
    stored = session.get(Site, uuid.UUID(body["id"]))
    point = to_shape(stored.location)
    assert (point.x, point.y) == (105.7469, 10.0452)
    assert stored.address == "2 Hòa Bình, Ninh Kiều"


def test_the_commune_is_derived_from_the_location_where_boundaries_are_loaded(
        api, client, session):
    code = _square(session, "92", 105.7469, 10.0452)
    resp = client.post(URL, json=_body(), headers=_supervisor_headers(api))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["commune_code"] == code
    session.expire_all()
    assert session.get(Site, uuid.UUID(resp.get_json()["id"])).commune_code == code


def test_a_location_in_a_commune_of_another_province_is_refused(api, client, session):
    _square(session, "31", 106.68, 20.86)
    resp = client.post(URL, json=_body(location={"lon": 106.68, "lat": 20.86}),
                       headers=_supervisor_headers(api))
    assert resp.status_code == 422
    assert resp.mimetype == PROBLEM
    assert "location" in resp.get_json()["errors"]
    assert session.scalars(select(Site)).all() == []


def test_a_supervisor_cannot_create_a_site_in_another_province(api, client, session):
    resp = client.post(URL, json=_body(province_code="31"), headers=_supervisor_headers(api))
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    national = api.login(factories.UserFactory(role="admin", province_code=None))
    resp = client.post(URL, json=_body(province_code="31"), headers=national)
    assert resp.status_code == 201 and resp.get_json()["province_code"] == "31"


def test_an_inspector_cannot_create_or_change_a_site(api, client, session):
    headers = api.login(factories.UserFactory(role="inspector"))
    resp = client.post(URL, json=_body(), headers=headers)
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    site = factories.SiteFactory()
    resp = client.patch(f"{URL}/{site.id}", json={"name": "X"},
                        headers={**headers, "If-Match": '"1"'})
    assert resp.status_code == 403
    assert client.get(f"{URL}/{site.id}", headers=headers).status_code == 200


def test_another_provinces_site_answers_404_and_a_malformed_id_too(api, client, session):
    hai_phong = factories.SiteFactory(province_code="31", name="Bưu cục Hải Phòng")
    headers = _supervisor_headers(api, "92")
    for resp in (client.get(f"{URL}/{hai_phong.id}", headers=headers),
                 client.patch(f"{URL}/{hai_phong.id}", json={"name": "Đổi tên"},
                              headers={**headers, "If-Match": '"1"'}),
                 client.get(f"{URL}/not-a-uuid", headers=headers)):
        assert resp.status_code == 404
        assert resp.mimetype == PROBLEM
    session.expire_all()
    assert session.get(Site, hai_phong.id).name == "Bưu cục Hải Phòng"
    other = api.login(factories.UserFactory(role="inspector", province_code="31"))
    assert client.get(f"{URL}/{hai_phong.id}", headers=other).status_code == 200


def test_patching_a_site_without_if_match_answers_428(api, client, session):
    site = factories.SiteFactory()
    resp = client.patch(f"{URL}/{site.id}", json={"name": "Đổi tên"},
                        headers=_supervisor_headers(api))
    assert resp.status_code == 428 and resp.mimetype == PROBLEM
    session.expire_all()
    assert session.get(Site, site.id).version == 1


def test_patching_a_site_with_a_stale_etag_answers_412(api, client, session):
    site = factories.SiteFactory(version=3)
    resp = client.patch(f"{URL}/{site.id}", json={"name": "Đổi tên"},
                        headers={**_supervisor_headers(api), "If-Match": '"2"'})
    assert resp.status_code == 412 and resp.mimetype == PROBLEM
    session.expire_all()
    assert session.get(Site, site.id).name == site.name


def test_patching_with_the_current_etag_changes_only_the_given_fields(api, client, session):
    code = _square(session, "92", 105.78, 10.03)
    site = factories.SiteFactory(address="Cũ")
    headers = _supervisor_headers(api)
    etag = client.get(f"{URL}/{site.id}", headers=headers).headers["ETag"]
    resp = client.patch(f"{URL}/{site.id}", headers={**headers, "If-Match": etag}, json={
        "name": "Bưu cục Cái Khế", "location": {"lon": 105.78, "lat": 10.03}})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["version"], resp.headers["ETag"]) == (2, '"2"')
    assert body["name"] == "Bưu cục Cái Khế" and body["address"] == "Cũ"
    assert body["location"] == {"lon": 105.78, "lat": 10.03}
    assert body["commune_code"] == code
    session.expire_all()
    stored = session.get(Site, site.id)
    assert (stored.name, stored.address, stored.version, stored.commune_code) == (
        "Bưu cục Cái Khế", "Cũ", 2, code)
    stale = client.patch(f"{URL}/{site.id}", headers={**headers, "If-Match": etag},
                         json={"name": "Lần nữa"})
    assert stale.status_code == 412


def test_the_listing_is_scoped_to_the_province_and_filters_by_kind_commune_and_name(
        api, client, session):
    code = _square(session, "92", 105.7469, 10.0452)
    a = factories.SiteFactory(name="Bưu cục Ninh Kiều", commune_code=code)
    b = factories.SiteFactory(name="Sở Tư pháp", kind="kt1_user")
    factories.SiteFactory(name="Bưu cục Hải Phòng", province_code="31")
    headers = api.login(factories.UserFactory(role="inspector"))

    def names(query: str = "") -> list[str]:
        resp = client.get(f"{URL}{query}", headers=headers)
        assert resp.status_code == 200, resp.get_json()
        return [s["name"] for s in resp.get_json()]

    assert names() == [a.name, b.name]
    assert names("?kind=kt1_user") == [b.name]
    assert names(f"?commune_code={code}") == [a.name]
    assert names("?q=Ninh%20Ki%E1%BB%81u") == [a.name]
    assert names("?q=100%25") == []
    resp = client.get(f"{URL}?page_size=1", headers=headers)
    assert len(resp.get_json()) == 1
    assert '"total": 2' in resp.headers["X-Pagination"]


def test_a_post_user_sees_only_the_sites_of_its_own_organization(api, client, session):
    own = factories.SiteFactory(organization="Bưu điện thành phố Cần Thơ")
    other = factories.SiteFactory(organization="Viettel Post Cần Thơ")
    headers = api.login(factories.UserFactory(role="post", agency="post",
                                              organization="Bưu điện thành phố Cần Thơ"))
    resp = client.get(URL, headers=headers)
    assert [s["id"] for s in resp.get_json()] == [str(own.id)]
    assert client.get(f"{URL}/{other.id}", headers=headers).status_code == 404


def test_malformed_json_answers_400_problem(api, client, session):
    resp = client.post(URL, data='{"name": "Bưu cục', content_type="application/json",
                       headers=_supervisor_headers(api))
    assert resp.status_code == 400
    assert resp.mimetype == PROBLEM
    assert resp.get_json()["status"] == 400


def test_wrong_types_unknown_fields_and_bad_ranges_answer_422_by_field(api, client, session):
    resp = client.post(URL, headers=_supervisor_headers(api), json={
        "name": 12, "kind": "bank", "location": {"lon": 200, "lat": "north"},
        "commune_code": "31120", "colour": "red"})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    errors = resp.get_json()["errors"]
    assert {"name", "kind", "location", "commune_code", "colour"} <= set(errors)
    assert set(errors["location"]) == {"lon", "lat"}
    assert session.scalars(select(Site)).all() == []


def test_requests_without_a_token_answer_401_problem(client, session):
    for resp in (client.get(URL), client.post(URL, json=_body())):
        assert resp.status_code == 401 and resp.mimetype == PROBLEM


# --- a site lies in its province, in Vietnam -------------------------------------------------

def test_a_site_at_0_0_or_outside_vietnam_is_refused_with_a_vietnamese_problem(
        api, client, session):
    headers = _supervisor_headers(api)
    for lon, lat in ((0, 0), (2.3522, 48.8566), (-105.7469, 10.0452), (105.7469, -10.0452)):
        resp = client.post(URL, json=_body(location={"lon": lon, "lat": lat}), headers=headers)
        assert resp.status_code == 422, (lon, lat)
        assert resp.mimetype == PROBLEM
        problem = resp.get_json()
        assert "location" in problem["errors"]
        assert "ngoài lãnh thổ Việt Nam" in problem["detail"]
    site = client.post(URL, json=_body(), headers=headers).get_json()
    resp = client.patch(f"{URL}/{site['id']}", json={"location": {"lon": 0, "lat": 0}},
                        headers={**headers, "If-Match": '"1"'})
    assert resp.status_code == 422 and "location" in resp.get_json()["errors"]
    session.expire_all()
    assert len(session.scalars(select(Site)).all()) == 1


def test_where_the_provinces_boundaries_are_loaded_a_site_outside_them_is_refused(
        api, client, session):
    from inspection import reference

    reference.seed_synthetic_boundaries(session, "92")  # every commune of Cần Thơ
    headers = _supervisor_headers(api)
    # Hải Phòng (whose boundaries are not loaded) and Phnom Penh (inside Vietnam's box).
    for lon, lat in ((106.68, 20.86), (104.92, 11.56)):
        resp = client.post(URL, json=_body(location={"lon": lon, "lat": lat}), headers=headers)
        assert resp.status_code == 422, (lon, lat)
        problem = resp.get_json()
        assert "location" in problem["errors"]
        assert "Cần Thơ" in problem["detail"], problem["detail"]
    inside = client.post(URL, json=_body(), headers=headers)
    assert inside.status_code == 201, inside.get_json()
    assert inside.get_json()["commune_code"] is not None
    moved = client.patch(f"{URL}/{inside.get_json()['id']}",
                         json={"location": {"lon": 106.68, "lat": 20.86}},
                         headers={**headers, "If-Match": '"1"'})
    assert moved.status_code == 422 and "Cần Thơ" in moved.get_json()["detail"]

"""Reference data over HTTP: provinces, communes and their boundaries (any signed-in user)."""

from __future__ import annotations

import json

import pytest

from inspection import reference
from tests import factories

API = "/api/v1"


@pytest.fixture
def headers(api, session):
    return api.login(factories.UserFactory(role="post", agency="post", province_code="31"))


def test_reference_data_needs_a_token(client, session):
    for path in ("/provinces", "/communes", "/communes/31120"):
        resp = client.get(API + path)
        assert resp.status_code == 401 and resp.mimetype == "application/problem+json"


def test_the_provinces_are_the_34_in_force_with_their_dataset(client, headers):
    resp = client.get(f"{API}/provinces", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body) == 34 and json.loads(resp.headers["X-Pagination"])["total"] == 34
    can_tho = next(p for p in body if p["code"] == "92")
    assert can_tho["name"] == "Thành phố Cần Thơ"
    assert can_tho["unit_type"] == "thành phố trung ương"
    assert can_tho["dataset_version"].startswith("2026.9.0")
    assert [p["code"] for p in body] == sorted(p["code"] for p in body)


def test_communes_are_filtered_by_province_and_paginated(client, headers):
    resp = client.get(f"{API}/communes?province_code=92&page_size=500", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body) == 103 and {c["province_code"] for c in body} == {"92"}
    assert body[0] == {"code": "31120", "name": "Phường Cái Khế", "unit_type": "phường",
                       "province_code": "92", "has_boundary": False, "boundary_source": None}
    page = client.get(f"{API}/communes?page=2&page_size=500", headers=headers)
    assert json.loads(page.headers["X-Pagination"])["total"] == 3321
    assert len(page.get_json()) == 500
    too_big = client.get(f"{API}/communes?page_size=501", headers=headers)
    assert too_big.status_code == 422


def test_communes_are_found_by_name_ignoring_case_and_diacritics(client, headers):
    resp = client.get(f"{API}/communes?province_code=92&q=CAI KHE", headers=headers)
    assert [c["code"] for c in resp.get_json()] == ["31120"]
    resp = client.get(f"{API}/communes?q=đặc khu bạch", headers=headers)
    assert [c["name"] for c in resp.get_json()] == ["Đặc khu Bạch Long Vĩ"]


def test_a_malformed_province_filter_is_a_422(client, headers):
    resp = client.get(f"{API}/communes?province_code=ninety-two", headers=headers)
    assert resp.status_code == 422 and "province_code" in resp.get_json()["errors"]


def test_a_commune_has_its_boundary_as_geojson_marked_synthetic(client, headers, session):
    reference.seed_synthetic_boundaries(session, "92")
    resp = client.get(f"{API}/communes/31120", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["has_boundary"] is True and body["boundary_source"] == "synthetic"
    assert body["geometry"]["type"] == "MultiPolygon"
    lon, lat = body["geometry"]["coordinates"][0][0][0]
    assert 105.2 < lon < 106.3 and 9.2 < lat < 10.4
    listed = client.get(f"{API}/communes?province_code=92&q=cai khe", headers=headers)
    assert listed.get_json()[0]["boundary_source"] == "synthetic"


def test_a_commune_without_a_boundary_has_a_null_geometry(client, headers):
    body = client.get(f"{API}/communes/00004", headers=headers).get_json()
    assert (body["name"], body["geometry"], body["has_boundary"]) == (
        "Phường Ba Đình", None, False)


@pytest.mark.parametrize("code", ["99999", "abc", "311200", "%20"])
def test_an_unknown_commune_is_a_404_problem(client, headers, code):
    resp = client.get(f"{API}/communes/{code}", headers=headers)
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == 404 and body["type"].endswith("not-found")

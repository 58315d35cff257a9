from tests import factories


def test_login_returns_a_token_that_authenticates_me(api, client, session):
    user = factories.UserFactory()
    headers = api.login(user)
    resp = client.get("/api/v1/auth/me", headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["username"] == user.username

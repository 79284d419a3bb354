"""A school's staff share one address: one user's failures (thirty bad passwords under mistyped
names, a script with a dead token) lock out neither a colleague's sign-in nor their token; and a
new password revokes the user's API tokens."""

from __future__ import annotations

from flask import Flask

from tests.security.conftest import PASSWORD, login

SCHOOL_ROUTER = "198.51.100.20"


def at_school(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = SCHOOL_ROUTER
    return client


def test_thirty_failures_of_one_user_lock_out_no_colleague_at_the_same_address(app: Flask) -> None:
    accounts = app.extensions["betrokken"].accounts
    colleague_token = accounts.issue_token("controle")
    first = at_school(app)
    for attempt in range(30):  # six spellings of a name, five wrong passwords each
        name = ("trainer", "trainer2", "trainr", "trainer1", "traner", "tr4iner")[attempt % 6]
        assert login(first, name, "fout-wachtwoord").status_code == 200
    for _ in range(30):  # and a script with a token that no longer works
        assert first.get("/api/v1/programs", headers={"Authorization": "Bearer dead.token"}).status_code in (401, 429)
    assert login(first, "trainer").status_code == 429  # the account itself waits
    assert first.get("/api/v1/programs", headers={"Authorization": "Bearer dead.token"}).status_code == 429
    colleague = at_school(app)
    assert colleague.get("/login").status_code == 200
    assert login(colleague, "controle").status_code == 302
    headers = {"Authorization": f"Bearer {colleague_token}"}
    assert at_school(app).get("/api/v1/programs", headers=headers).status_code == 200


def test_a_new_password_revokes_the_user_s_api_tokens(app: Flask) -> None:
    system = app.extensions["betrokken"]
    token = system.accounts.issue_token("trainer")
    others = system.accounts.issue_token("controle")
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/programs", headers=headers).status_code == 200
    system.change_password("trainer", "een-nieuw-wachtwoord-7")
    assert app.test_client().get("/api/v1/programs", headers=headers).status_code == 401
    assert app.test_client().get("/api/v1/programs", headers={"Authorization": f"Bearer {others}"}).status_code == 200
    fresh = system.accounts.issue_token("trainer")  # a token issued after the change works
    assert app.test_client().get("/api/v1/programs", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert login(app.test_client(), "trainer", PASSWORD).status_code == 200  # the old password is gone

"""User accounts: roles, argon2id passwords, tokens kept only as hashes, on their own store."""

from __future__ import annotations

import hashlib

import pytest
from argon2 import PasswordHasher

from application.accounts import Accounts
from domain.errors import DomainError
from tests.helpers.hashing import CHEAP_HASHER


@pytest.fixture
def accounts(store):  # type: ignore[no-untyped-def]
    opened = Accounts(store, hasher=CHEAP_HASHER)
    yield opened
    opened.close()


@pytest.fixture
def production_accounts(store):  # type: ignore[no-untyped-def]
    """Accounts with production's password hasher (for the test of the hashing itself)."""
    opened = Accounts(store)
    yield opened
    opened.close()


def test_a_user_signs_in_with_their_password_as_their_role_and_schools(accounts) -> None:  # type: ignore[no-untyped-def]
    assert not accounts.has_users()
    accounts.add_user("ineke", "staff", ["12AB", "34CD"], "correct horse", actor="cli")
    assert accounts.has_users()
    actor = accounts.authenticate_password("ineke", "correct horse")
    assert actor is not None and actor.name == "ineke" and actor.role == "staff"
    assert actor.schools == frozenset({"12AB", "34CD"})
    assert accounts.authenticate_password("ineke", "wrong") is None
    assert accounts.authenticate_password("nobody", "correct horse") is None


def test_only_an_admin_sees_every_school(accounts) -> None:  # type: ignore[no-untyped-def]
    accounts.add_user("root", "admin", ["12AB"], "pw")
    assert accounts.authenticate_password("root", "pw").schools is None
    # staff always work for named schools
    with pytest.raises(DomainError):
        accounts.add_user("lonely", "staff", [], "pw")
    assert accounts.user("lonely") is None


def test_auditors_and_analysts_without_schools_see_every_school(accounts) -> None:  # type: ignore[no-untyped-def]
    # the contract: `users add NAME --role ... [--school BRIN ...]`: the school is optional
    accounts.add_user("kijker", "analyst", [], "pw")
    accounts.add_user("toezicht", "auditor", [], "pw")
    accounts.add_user("gericht", "auditor", ["34CD"], "pw")
    assert accounts.authenticate_password("kijker", "pw").schools is None
    assert accounts.authenticate_password("toezicht", "pw").schools is None
    assert accounts.authenticate_password("gericht", "pw").schools == frozenset({"34CD"})


def test_a_name_is_taken_once_and_roles_are_checked(accounts) -> None:  # type: ignore[no-untyped-def]
    accounts.add_user("ineke", "auditor", ["12AB"], "pw")
    with pytest.raises(DomainError) as taken:
        accounts.add_user("ineke", "staff", ["12AB"], "other")
    assert taken.value.code == "user_exists"
    with pytest.raises(DomainError) as bad:
        accounts.add_user("bob", "superuser", ["12AB"], "pw")
    assert bad.value.code == "invalid_role"
    assert accounts.user("bob") is None


def test_passwords_are_argon2id_at_least_owasp_strength(production_accounts) -> None:  # type: ignore[no-untyped-def]
    production_accounts.add_user("ineke", "staff", ["12AB"], "pw")
    stored = production_accounts.user("ineke").password_hash
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2
    assert PasswordHasher().verify(stored, "pw")


def test_tokens_are_kept_only_as_hashes_and_can_be_revoked(accounts) -> None:  # type: ignore[no-untyped-def]
    accounts.add_user("ineke", "staff", ["12AB"], "pw")
    first, second = accounts.issue_token("ineke"), accounts.issue_token("ineke")
    assert first != second and first.split(".")[0] == accounts.user("ineke").id.hex
    assert accounts.authenticate_token(first).name == "ineke"
    assert accounts.authenticate_token(second).name == "ineke"
    stored = [n.state for n in accounts.recorder.select_notifications(start=None, limit=100)]
    secret = first.split(".")[1].encode()
    assert not any(secret in s for s in stored)
    assert any(hashlib.sha256(first.encode()).hexdigest().encode() in s for s in stored)
    accounts.revoke_tokens("ineke")
    assert accounts.authenticate_token(first) is None and accounts.authenticate_token(second) is None
    for junk in ["", "abc", "zz.yy", first.split(".")[0] + ".", "." + first.split(".")[1]]:
        assert accounts.authenticate_token(junk) is None


def test_a_disabled_user_cannot_sign_in(accounts) -> None:  # type: ignore[no-untyped-def]
    accounts.add_user("ineke", "staff", ["12AB"], "pw")
    token = accounts.issue_token("ineke")
    accounts.disable("ineke")
    assert accounts.authenticate_password("ineke", "pw") is None
    assert accounts.authenticate_token(token) is None


def test_accounts_survive_a_restart_in_their_own_store(store) -> None:  # type: ignore[no-untyped-def]
    first = Accounts(store, hasher=CHEAP_HASHER)
    first.add_user("ineke", "staff", ["12AB"], "pw", actor="admin")
    token = first.issue_token("ineke")
    first.close()
    again = Accounts(store, hasher=CHEAP_HASHER)
    try:
        assert again.authenticate_token(token).name == "ineke"
        assert [u.name for u in again.users()] == ["ineke"]
    finally:
        again.close()
    if not store.is_postgres:
        assert (store.data_dir / "accounts.sqlite").exists()

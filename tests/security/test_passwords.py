"""Passwords are stored as argon2id hashes at or above OWASP's minimum (19 MiB, 2 passes, 1 lane)."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from flask import Flask

from application.accounts import HASHER
from tests.security.conftest import PASSWORD


@pytest.fixture
def password_hasher() -> PasswordHasher:
    """These tests are about the hashing itself: production's hasher, not the tests' cheap one."""
    return HASHER


def test_a_stored_password_hash_is_argon2id_at_owasp_s_minimum_or_above(app: Flask) -> None:
    stored = app.extensions["betrokken"].accounts.user("trainer").password_hash
    found = re.fullmatch(r"\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+", stored)
    assert found, stored
    version, memory_kib, passes, lanes = map(int, found.groups())
    assert version == 19
    assert memory_kib >= 19456 and passes >= 2 and lanes >= 1
    assert PASSWORD not in stored


def test_the_hash_is_salted_per_user(app: Flask) -> None:
    accounts = app.extensions["betrokken"].accounts
    accounts.add_user("tweede", "staff", ["12AB"], PASSWORD)
    assert accounts.user("tweede").password_hash != accounts.user("trainer").password_hash

"""A cheap password hasher for tests that don't test hashing: argon2id with minimal parameters
(production's costs tens of milliseconds a hash; tests/security/test_passwords.py keeps it)."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher, Type

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
# What a test app's config adds to use it: open_app({**CHEAP, ...}).
CHEAP: dict[str, Any] = {"PASSWORD_HASHER": CHEAP_HASHER}

"""Clients of a real `betrokken serve` for the attack tests: a requests session per client
thread, the log and the projections as the API answers them, and the attack figures."""

from __future__ import annotations

import os
from typing import Any

import requests

from tests.helpers.serve import Server, add_user

SCHOOL = "12AB"
LONG = os.environ.get("ATTACK_LONG") == "1"  # `make attack`: the long runs


def figure(line: str) -> None:
    """A figure for the report: shown with -s, and appended to $ATTACK_REPORT when set."""
    print(f"[attack] {line}")
    report = os.environ.get("ATTACK_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def admin_token(env: dict[str, str], name: str = "aanval") -> str:
    return add_user(env, name, "admin", password="aanval-wachtwoord-123")


class Client:
    """One HTTP client (its own connection pool), signed with a token."""

    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, json: Any = None, timeout: float = 30) -> requests.Response:
        return self.http.request(method, self.server.url + path, json=json, timeout=timeout)

    def ok(self, method: str, path: str, json: Any = None) -> Any:
        r = self.call(method, path, json)
        assert r.status_code < 300, (method, path, r.status_code, r.text[:500])
        return r.json()


def events_of(client: Client, aggregate_id: str) -> list[dict[str, Any]]:
    return client.ok("GET", f"/audit/aggregates/{aggregate_id}/events")["events"]


def projections_of(client: Client, program_ids: list[str]) -> dict[str, Any]:
    """attendance, completion and rewards of each programme, as the API answers them."""
    return {(pid, view): client.ok("GET", f"/programs/{pid}/{view}")
            for pid in program_ids for view in ("attendance", "completion", "rewards")}


def rows_sorted(value: Any) -> Any:
    """A projection answer with its lists in a stable order (row order is not part of the contract)."""
    if isinstance(value, list):
        return sorted((rows_sorted(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: rows_sorted(v) for k, v in value.items()}
    return value

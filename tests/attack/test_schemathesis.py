"""schemathesis over /api/v1/openapi.json, in-process (WSGI), as each role with its own token:
examples, coverage, fuzzing and the stateful phase (links inferred from the responses). No 5xx,
and every answer's status, content type, headers and body as the document says.

Quick by default (SCHEMATHESIS_MAX_EXAMPLES=10 a seed of 1); `make attack` runs 200 examples with
a fresh seed. Set SCHEMATHESIS_SEED to replay a run."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.live import LONG, figure
from tests.helpers.st_harness import ROLES, run_role, seeded_app

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "200" if LONG else "10"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", str(random.randrange(1 << 30)) if LONG else "1"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    app, tokens, ids = seeded_app(tmp_path_factory.mktemp("schemathesis") / "data")
    yield app, tokens
    app.extensions["betrokken"].close()


@pytest.mark.parametrize("role", list(ROLES))
def test_the_api_keeps_its_documented_promises_under_schemathesis(seeded: Any, role: str) -> None:
    app, tokens = seeded
    figures = run_role(app, tokens[role], role, MAX_EXAMPLES, seed=SEED)
    failures = sorted(set(figures.failures))
    figure(f"schemathesis role={role} max_examples={MAX_EXAMPLES} seed={SEED} scenarios={figures.scenarios} "
           f"cases={figures.cases} failures={len(failures)} errors={len(figures.errors)}")
    assert figures.cases > 0
    assert not figures.errors, figures.errors[:5]
    assert not failures, "\n".join(failures + ["", "first failures in detail:", *figures.details])


def test_numbers_beyond_what_storage_holds_are_422_and_leave_the_projections_working(tmp_path: Path) -> None:
    """Found by schemathesis: `?after=2**70` was a 500 (SQLite INTEGER overflow); a programme with
    2**70 cents per session was stored and then every projection read answered 500."""
    app, tokens, ids = seeded_app(tmp_path / "data")
    c, h = app.test_client(), {"Authorization": f"Bearer {tokens['admin']}"}
    huge = 2**70
    try:
        for path in (f"/api/v1/audit/log?after={huge}", f"/api/v1/audit/aggregates/{ids['program_id']}/state?version={huge}"):
            assert c.get(path, headers=h).status_code == 422, path
        program = {"school": "12AB", "name": "Groot", "kind": "pact", "starts_on": "2025-09-01"}
        for settings in ({"rewards": {"per_session_cents": huge}}, {"rewards": {"cap_cents": huge}},
                         {"completion": {"min_sessions_attended": huge}}):
            assert c.post("/api/v1/programs", headers=h, json={**program, **settings}).status_code == 422, settings
        payout = {"parent_id": ids["parent_id"], "amount_cents": huge, "method": "cash"}
        assert c.post(f"/api/v1/programs/{ids['program_id']}/payouts", headers=h, json=payout).status_code == 422
        assert c.get(f"/api/v1/programs/{ids['program_id']}/rewards", headers=h).status_code == 200
    finally:
        app.extensions["betrokken"].close()

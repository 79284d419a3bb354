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

from conftest import LONG, figure
from st_harness import ROLES, run_role, seeded_app

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
    assert not failures, "\n".join(failures)

"""A client generated from the OpenAPI document (openapi-python-client) drives a live `betrokken
serve`: its functions are named after the operations (`register_parent`, `list_programs`), its
answers are typed models, and a refusal comes back as the typed error."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.helpers.processes import Processes
from tests.helpers.serve import Server, add_user, environment

GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or "openapi-python-client"
PACKAGE = "betrokken_client"  # from the document's title


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a server and CLI on a fresh data directory."""
    return environment(tmp_path / "data")


@pytest.fixture
def server(env: dict[str, str], processes: Processes) -> Server:
    """A live server, stopped by the `processes` finaliser whatever the test's outcome."""
    return Server(processes, env)


@pytest.fixture
def generated(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The client generated from the live server's document, importable for this test only."""
    document = tmp_path / "openapi.json"
    document.write_bytes(requests.get(f"{server.url}/openapi.json", timeout=10).content)
    config = tmp_path / "config.yml"
    config.write_text("post_hooks: []\n")  # no formatter run: offline and without ruff
    out = tmp_path / "client"
    done = subprocess.run([GENERATOR, "generate", "--path", str(document), "--output-path", str(out),
                           "--config", str(config)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and (out / PACKAGE).is_dir(), done.stdout + done.stderr
    monkeypatch.syspath_prepend(str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_a_generated_client_registers_a_parent_and_creates_and_lists_programmes(
        env: dict[str, str], server: Server, generated: Any) -> None:
    token = add_user(env, "ineke", "staff", "12AB")
    from betrokken_client import AuthenticatedClient
    from betrokken_client.api.api_parents import get_parent, register_parent
    from betrokken_client.api.api_programs import create_program, enroll_parent, list_programs
    from betrokken_client.models import Child, Enrolment, Error, NewParent, Parent, Program, ProgramKind, ProgramPage

    client = AuthenticatedClient(base_url=server.url.removesuffix("/api/v1"), token=token)
    with client:
        parent = register_parent.sync(
            client=client, idempotency_key=str(uuid.uuid4()),
            body=NewParent(school="12AB", name="Fatima Yilmaz", email="fatima@example.nl",
                           children=[Child(name="Sara", group=4)]),
        )
        assert isinstance(parent, Parent), parent
        assert isinstance(parent.id, uuid.UUID) and parent.children[0].group == 4
        again = get_parent.sync(client=client, parent_id=parent.id)
        assert isinstance(again, Parent) and again.name == "Fatima Yilmaz"

        program = create_program.sync(client=client, body=Program(
            school="12AB", name="PACT najaar", kind=ProgramKind.PACT, starts_on=dt.date(2025, 9, 1)))
        assert isinstance(program, Program) and program.kind is ProgramKind.PACT
        enrolled = enroll_parent.sync(client=client, program_id=program.id, body=Enrolment(parent_id=parent.id))
        assert isinstance(enrolled, Enrolment) and enrolled.parent_id == parent.id

        listed = list_programs.sync(client=client)
        assert isinstance(listed, ProgramPage) and [p.id for p in listed.items] == [program.id] and listed.to_dict()["next"] is None
        assert all(isinstance(p, Program) for p in listed.items)

        # a refusal is the typed error, with the API's code
        twice = enroll_parent.sync_detailed(client=client, program_id=program.id, body=Enrolment(parent_id=parent.id))
        assert twice.status_code == 409 and isinstance(twice.parsed, Error)
        assert twice.parsed.error.code == "already_enrolled"

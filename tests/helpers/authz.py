"""Driving the authorisation matrix (authz_matrix.csv): a seeded app with two schools, a user of
each role scoped to the first, and one request per cell.

Outcomes: `ok` (2xx), `redirect` (3xx elsewhere), `login` (3xx to the sign-in page), or the status
(`401`, `403`, `404`, ...). `python -m tests.helpers.authz` prints what the app answers now, as a
draft for new rows; the rows themselves are written and reviewed by hand."""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

MATRIX = Path(__file__).parents[1] / "security" / "authz_matrix.csv"
ROLES = ("admin", "staff", "auditor", "analyst", "anonymous")
SCHOOLS = {"own": "12AB", "other": "34CD"}
PASSWORD = "matrix-wachtwoord-1"
USERS = {"m_admin": ("admin", []), "m_staff": ("staff", ["12AB"]), "m_auditor": ("auditor", ["12AB"]),
         "m_analyst": ("analyst", ["12AB"])}
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Cell:
    """One row of the matrix: a route, a method and whose school its target belongs to."""

    method: str
    rule: str
    scope: str  # own, other, or - (no target)
    expected: dict[str, str]


def load_matrix(path: Path = MATRIX) -> list[Cell]:
    """The matrix file's rows."""
    with path.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["method"] and not r["method"].startswith("#")]
    return [Cell(r["method"], r["rule"], r["scope"], {role: r[role].strip() for role in ROLES}) for r in rows]


def app_routes(app: Flask) -> set[tuple[str, str]]:
    """Every (method, rule) the app answers."""
    return {(m, r.rule) for r in app.url_map.iter_rules() for m in (r.methods or set()) - IGNORED_METHODS}


def has_target(rule: str) -> bool:
    """Whether a route names something that belongs to a school."""
    return "<uuid:" in rule


def outcome(response: TestResponse) -> str:
    """The class of an answer, as the matrix writes it."""
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return "login" if location.startswith("/login?next=") else "redirect"
    return str(status)


@dataclass
class School:
    """What the seeded world holds at one school."""

    program: str
    parent: str
    child: str
    session: str
    homework_session: str


@dataclass
class World:
    """The seeded app: a programme with an enrolled parent and sessions at each school."""

    app: Flask
    admin: FlaskClient
    tokens: dict[str, str]
    ui: dict[str, FlaskClient]
    schools: dict[str, School] = field(default_factory=dict)

    def api(self, method: str, path: str, json: Any = None) -> Any:
        """A command as the admin, through the API; its answer's body."""
        r = self.admin.open(f"/api/v1{path}", method=method, json=json,
                            headers={"Authorization": f"Bearer {self.tokens['admin']}"})
        assert r.status_code in (200, 201), (path, r.status_code, r.get_data(as_text=True))
        return r.get_json()

    def fresh_parent(self, scope: str, enrolled: bool = False) -> str:
        """A new parent at the scope's school (enrolled in its programme, if asked)."""
        p = self.api("POST", "/parents", {"school": SCHOOLS[scope], "name": "Nieuwe Ouder",
                                          "children": [{"name": "Kind", "group": 3}]})
        if enrolled:
            start = (date.today() - timedelta(days=30)).isoformat()
            self.api("POST", f"/programs/{self.schools[scope].program}/enrollments", {"parent_id": p["id"], "enrolled_on": start})
        return str(p["id"])

    def fresh_trial(self, scope: str, allocated: bool = False, enrolled: bool = False) -> tuple[str, str]:
        """A new trial (cash and control arms) at the scope's school, its allocation set up if
        asked, and a parent enrolled in it if asked: (programme id, parent id or "")."""
        start = (date.today() - timedelta(days=30)).isoformat()
        program = self.api("POST", "/programs", {"school": SCHOOLS[scope], "name": "Proef", "kind": "pact",
                                                 "starts_on": start, "arms": [{"name": "cash"}, {"name": "control"}]})
        if allocated:
            self.api("POST", f"/programs/{program['id']}/allocation", {"method": "simple", "seed": "matrix-zaad"})
        parent = ""
        if enrolled:
            parent = self.fresh_parent(scope)
            self.api("POST", f"/programs/{program['id']}/enrollments", {"parent_id": parent, "enrolled_on": start})
        return str(program["id"]), parent

    def fresh_session(self, scope: str) -> str:
        """A new session (no roll call yet) in the scope's programme."""
        s = self.api("POST", f"/programs/{self.schools[scope].program}/sessions",
                     {"title": "Extra", "starts_at": _days_ago(2)})
        return str(s["id"])


_BRINS = itertools.count(10)  # a fresh BRIN code per registration
_RATES = itertools.count(6000)  # a fresh reward rate per rule change


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat() + "T19:00:00+01:00"


def seed(app: Flask) -> World:
    """Users of every role, and a programme at each school with a parent who has earned rewards."""
    accounts = app.extensions["betrokken"].accounts
    tokens = {}
    for name, (role, schools) in USERS.items():
        accounts.add_user(name, role, schools, PASSWORD)
        tokens[role] = accounts.issue_token(name)
    world = World(app, app.test_client(), tokens, {})
    start = (date.today() - timedelta(days=30)).isoformat()
    for scope, school in SCHOOLS.items():
        program = world.api("POST", "/programs", {"school": school, "name": f"Programma {school}", "kind": "pact",
                                                  "starts_on": start, "rewards": {"per_session_cents": 5000}})
        parent = world.api("POST", "/parents", {"school": school, "name": f"Ouder {school}",
                                                "children": [{"name": "Kind", "group": 4}]})
        world.api("POST", f"/programs/{program['id']}/enrollments", {"parent_id": parent["id"], "enrolled_on": start})
        session = world.api("POST", f"/programs/{program['id']}/sessions", {"title": "Eerste", "starts_at": _days_ago(10)})
        homework = world.api("POST", f"/programs/{program['id']}/sessions",
                             {"title": "Tweede", "starts_at": _days_ago(5), "homework": "Lezen"})
        for s in (session, homework):
            world.api("PUT", f"/sessions/{s['id']}/attendance", {"records": [{"parent_id": parent["id"], "status": "present"}]})
        world.schools[scope] = School(program["id"], parent["id"], parent["children"][0]["id"], session["id"], homework["id"])
    for name, (role, _) in USERS.items():
        client = app.test_client()
        r = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
        assert r.status_code == 302, r.get_data(as_text=True)
        world.ui[role] = client
    world.ui["anonymous"] = app.test_client()
    return world


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the client's session, from a form page."""
    found = CSRF.search(client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


# -- how each cell's request is made ----------------------------------------------------------

Builder = Callable[[World, str], tuple[dict[str, str], Any]]  # -> (path values, JSON body)


def _ids(world: World, scope: str) -> dict[str, str]:
    s = world.schools["own" if scope == "-" else scope]
    return {"parent_id": s.parent, "program_id": s.program, "session_id": s.session, "aggregate_id": s.program,
            "table": "rewards", "filename": "betrokken.css", "child_id": s.child,
            "brin": SCHOOLS["own" if scope == "-" else scope]}


def api_body(method: str, rule: str, world: World, scope: str) -> tuple[dict[str, str], Any]:
    """Path values and a valid JSON body for an API command (fresh objects where a command is once only)."""
    ids = _ids(world, scope)
    s = world.schools[scope if scope != "-" else "own"]
    school = SCHOOLS.get(scope, "12AB")
    tail = rule.removeprefix("/api/v1")
    if method == "GET":
        return ids, None
    bodies: dict[str, Callable[[], Any]] = {
        "/parents": lambda: {"school": school, "name": "Matrix Ouder", "children": [{"name": "K", "group": 2}]},
        "/parents/<uuid:parent_id>/children": lambda: {"name": "Broertje", "group": 1},
        "/parents/<uuid:parent_id>/assessments": lambda: {
            "program_id": s.program, "child_id": s.child, "name": "Toets", "score": 8, "max_score": 10,
            "taken_on": date.today().isoformat()},
        "/programs": lambda: {"school": school, "name": "Matrix", "kind": "custom", "starts_on": date.today().isoformat()},
        "/programs/<uuid:program_id>/enrollments": lambda: {"parent_id": world.fresh_parent(scope)},
        "/programs/<uuid:program_id>/payouts": lambda: {"parent_id": s.parent, "amount_cents": 1, "method": "cash"},
        "/programs/<uuid:program_id>/sessions": lambda: {"title": "Matrix", "starts_at": _days_ago(1)},
        "/sessions/<uuid:session_id>/attendance": lambda: {"records": [{"parent_id": s.parent, "status": "present"}]},
        "/sessions/<uuid:session_id>/homework": lambda: {"records": [{"parent_id": s.parent, "completed": True}]},
        "/sessions/<uuid:session_id>/cancellation": lambda: {"reason": "ziek"},
        "/programs/<uuid:program_id>/enrollments/<uuid:parent_id>/withdrawal": lambda: {"reason": "verhuisd"},
        "/parents/<uuid:parent_id>/erasure": lambda: {"reason": "verzoek van ouder"},
        "/schools": lambda: {"brin": f"{next(_BRINS):02d}ZZ", "name": "Matrixschool", "region": "midden"},
        "/programs/<uuid:program_id>/sessions/series": lambda: {"title": "Reeks", "first_starts_at": _days_ago(1), "count": 2},
        "/sessions/<uuid:session_id>/series-extension": lambda: {"count": 2, "cadence": "fortnightly"},
        "/sessions/<uuid:session_id>/move": lambda: {"starts_at": _days_ago(3)},
        "/messages": lambda: {"parent_ids": [s.parent], "purpose": "informeren", "text": "Hallo {naam}"},
        "/messages/preview": lambda: {"parent_ids": [s.parent], "purpose": "informeren", "text": "Hallo {naam}"},
        "/parents/<uuid:parent_id>/message-preferences": lambda: {"delivery": "each"},
        "/programs/<uuid:program_id>/reading-campaign": lambda: {"reading_list": "Lees samen", "send_on": date.today().isoformat()},
        "/programs/<uuid:program_id>/allocation": lambda: {"method": "simple", "seed": "matrix-zaad"},
        "/programs/<uuid:program_id>/enrollments/<uuid:parent_id>/arm": lambda: {
            "arm": "control", "override": True, "reason": "matrix"},
        "/programs/<uuid:program_id>/fund/releases": lambda: {
            "parent_id": s.parent, "amount_cents": 1, "evidence": "inschrijving mbo"},
        "/programs/<uuid:program_id>/fund/forfeits": lambda: {"parent_id": s.parent, "amount_cents": 1, "reason": "matrix"},
        "/programs/<uuid:program_id>/rules": lambda: {  # a new rate each time (the same again changes nothing)
            "effective_from": date.today().isoformat(), "rewards": {"per_session_cents": next(_RATES)}, "reason": "matrix"},
    }
    if tail == "/sessions/<uuid:session_id>/homework":
        ids["session_id"] = s.homework_session
    if tail in ("/sessions/<uuid:session_id>/cancellation", "/sessions/<uuid:session_id>/move"):
        ids["session_id"] = world.fresh_session(scope)
    if tail in ("/programs/<uuid:program_id>/enrollments/<uuid:parent_id>/withdrawal", "/parents/<uuid:parent_id>/erasure"):
        ids["parent_id"] = world.fresh_parent(scope, enrolled=True)
    if tail == "/programs/<uuid:program_id>/allocation":
        ids["program_id"] = world.fresh_trial(scope)[0]
    if tail == "/programs/<uuid:program_id>/allocation/lock":
        ids["program_id"] = world.fresh_trial(scope, allocated=True)[0]
    if tail == "/programs/<uuid:program_id>/enrollments/<uuid:parent_id>/arm":
        ids["program_id"], ids["parent_id"] = world.fresh_trial(scope, allocated=True, enrolled=True)
    if tail.startswith("/programs/<uuid:program_id>/fund/"):  # something in the child's fund to take out
        world.api("POST", f"/programs/{s.program}/payouts", {"parent_id": s.parent, "amount_cents": 1, "method": "education_fund"})
    ids.update(correction_targets(tail, world, scope))
    body = bodies.get(tail) or CORRECTION_BODIES.get(tail)
    return ids, (body() if body else {})


CORRECTION_BODIES: dict[str, Callable[[], Any]] = {
    "/parents/<uuid:parent_id>": lambda: {"phone": "0612345678"},
    "/parents/<uuid:parent_id>/children/<uuid:child_id>": lambda: {"group": 5},
    "/schools/<brin>/school-year": lambda: {"on": date.today().isoformat()},
    "/parents/<uuid:parent_id>/assessments/<uuid:assessment_id>/correction": lambda: {"score": 7, "reason": "overgenomen"},
    "/programs/<uuid:program_id>/payouts/<uuid:payout_id>/reversal": lambda: {"reason": "dubbel"},
    "/programs/<uuid:program_id>/closure": lambda: {"reason": "afgerond"},
    "/programs/<uuid:program_id>/reopening": lambda: {"reason": "te vroeg"},
}


def correction_targets(tail: str, world: World, scope: str) -> dict[str, str]:
    """Fresh objects for the corrections that work once (a payout reversed, a programme closed)."""
    s = world.schools[scope if scope != "-" else "own"]
    if tail == "/parents/<uuid:parent_id>/assessments/<uuid:assessment_id>/correction":
        a = world.api("POST", f"/parents/{s.parent}/assessments", {
            "program_id": s.program, "child_id": s.child, "name": "Toets", "score": 8, "max_score": 10,
            "taken_on": date.today().isoformat()})
        return {"assessment_id": a["id"]}
    if tail == "/programs/<uuid:program_id>/payouts/<uuid:payout_id>/reversal":
        pay = world.api("POST", f"/programs/{s.program}/payouts", {"parent_id": s.parent, "amount_cents": 1, "method": "cash"})
        return {"payout_id": pay["id"]}
    if tail in ("/programs/<uuid:program_id>/closure", "/programs/<uuid:program_id>/reopening"):
        school = SCHOOLS.get(scope, "12AB")
        p = world.api("POST", "/programs", {"school": school, "name": "Sluiten", "kind": "custom",
                                            "starts_on": date.today().isoformat()})
        if tail.endswith("/reopening"):
            world.api("POST", f"/programs/{p['id']}/closure", {"reason": "afgerond"})
        return {"program_id": p["id"]}
    return {}


def ui_form(method: str, rule: str, world: World, scope: str, client: FlaskClient) -> tuple[dict[str, str], Any]:
    """Path values and form data (only the CSRF token: a refusal must come before any form check)."""
    ids = _ids(world, scope)
    if rule == "/sessions/<uuid:session_id>/cancellation" and scope != "-":
        ids["session_id"] = world.fresh_session(scope)
    if scope != "-":
        ids.update(correction_targets(rule, world, scope))
    data: dict[str, str] = {}
    if method == "POST":
        data["csrf_token"] = csrf_token(client, "/login") or csrf_token(client, "/")
        if rule == "/language":
            data["lang"] = "nl"
    return ids, data


def fill(rule: str, values: dict[str, str]) -> str:
    """The rule with its <converter:name> parts replaced by values."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule)


def run_cell(world: World, cell: Cell, role: str) -> str:
    """Make the cell's request as the role; the outcome class."""
    if cell.rule.startswith("/api/"):
        values, body = api_body(cell.method, cell.rule, world, cell.scope)
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}
        response = world.app.test_client().open(fill(cell.rule, values), method=cell.method, json=body, headers=headers)
        return outcome(response)
    if cell.rule == "/logout" and role != "anonymous":
        client = world.app.test_client()  # a session of its own, not the one the other cells use
        name = next(n for n, (r, _) in USERS.items() if r == role)
        client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    else:
        client = world.ui[role]
    values, data = ui_form(cell.method, cell.rule, world, cell.scope, client)
    return outcome(client.open(fill(cell.rule, values), method=cell.method, data=data or None))


def scopes_of(rule: str) -> list[str]:
    """The scopes a route is tried in: own and other school when it names a target, else one."""
    if has_target(rule) or rule in ("/api/v1/parents", "/api/v1/programs"):
        return ["own", "other"]
    return ["-"]


def draft(world: World) -> list[list[str]]:
    """What the app answers now for every route, role and scope (for writing new rows)."""
    rows = []
    for method, rule in sorted(app_routes(world.app), key=lambda mr: (mr[1], mr[0])):
        for scope in (scopes_of(rule) if method != "GET" or has_target(rule) else ["-"]):
            cell = Cell(method, rule, scope, {})
            rows.append([method, rule, scope, *(run_cell(world, cell, role) for role in ROLES)])
    return rows


if __name__ == "__main__":
    import sys
    import tempfile

    from betrokken.wsgi import open_app

    app = open_app({"BETROKKEN_DATA_DIR": tempfile.mkdtemp(), "TESTING": True})
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["method", "rule", "scope", *ROLES])
    writer.writerows(draft(seed(app)))

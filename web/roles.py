"""Who may do what: each permission and the roles holding it, for the JSON API and the staff UI alike.

Every read and command is further limited to the user's schools (admins have all); outside
them is a 404, which is the service's to say, not this table's."""

from __future__ import annotations

ROLES = ("admin", "staff", "auditor", "analyst")

# permission -> roles holding it
PERMISSIONS: dict[str, frozenset[str]] = {
    # the programme list and detail, and its figures (projections) without names: analysts too
    "figures": frozenset(ROLES),
    # parent records, names, sessions and roll calls (reading)
    "records": frozenset({"admin", "staff", "auditor"}),
    # commands: register, enrol, schedule, roll call, payouts ...
    "run": frozenset({"admin", "staff"}),
    # the audit log and timelines
    "audit": frozenset({"admin", "auditor"}),
    # erasing a parent's personal data for good (AVG)
    "erase": frozenset({"admin"}),
    # reopening a closed programme (its figures were final)
    "reopen": frozenset({"admin"}),
    # everything held about one parent (AVG art. 15), and producing it
    "access": frozenset({"admin"}),
    # adding a school to the register (name, BRIN, holiday region)
    "schools": frozenset({"admin"}),
    # a trial: setting up allocation by lot, locking it (revealing the seed)
    "trial": frozenset({"admin"}),
    # the effect report of a trial (pseudonymous: counts and figures, no names)
    "evaluate": frozenset({"admin", "auditor", "analyst"}),
    # changing a programme's completion rule or reward scheme from a date on
    "rules": frozenset({"admin"}),
}

# the permissions that run commands (a body to check, rules that may refuse: 409 and 422)
COMMANDS = frozenset({"run", "erase", "reopen", "schools", "trial", "rules"})


def holds(role: str, permission: str) -> bool:
    """Whether a role holds a permission (read at call time, so the table stays the one truth)."""
    return role in PERMISSIONS[permission]

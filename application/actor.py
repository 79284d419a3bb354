"""Who is asking: the user behind a command or a question, and the schools they may see."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFoundError


@dataclass(frozen=True)
class Actor:
    """A user acting in a role; `schools` None means every school (an admin, or the CLI)."""

    name: str
    role: str = "admin"
    schools: frozenset[str] | None = None

    def may_see(self, school: str) -> bool:
        return self.schools is None or school in self.schools

    def ensure_may_see(self, school: str, what: str, ident: object) -> None:
        """Things outside the user's schools answer as if they did not exist."""
        if not self.may_see(school):
            raise NotFoundError(what, ident)


SYSTEM = Actor(name="system", role="admin", schools=None)

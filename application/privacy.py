"""Erasing a parent's personal data (AVG art. 17), the one procedure the API and the CLI share.

1. Parent.Erased is recorded (reason, actor, time): the erasure itself stays auditable.
2. The parent's data key is destroyed: every personal field of their events (name, phone,
   e-mail, home language, children's names, withdrawal reasons) reads as "gewist" from then on,
   in this process at once and in others within a few seconds (their key cache).
3. Stored idempotent answers that mention the parent (which may show them in clear) are deleted.
Ids, dates, statuses, scores and amounts stay, so every figure and the audit chain are unchanged.
Running it again finishes an interrupted erasure and records no second event."""

from __future__ import annotations

from uuid import UUID

from application.actor import SYSTEM, Actor
from adapters.idempotency import IdempotencyStore
from application.programs import ProgramService
from domain.parent import Parent


def erase_parent(
    service: ProgramService,
    idempotency: IdempotencyStore | None,
    parent_id: UUID,
    *,
    reason: str,
    actor: Actor = SYSTEM,
) -> Parent:
    """Erase a parent's personal data for good; the parent as it reads afterwards."""
    parent = service.erase_parent(parent_id, reason=reason, actor=actor)
    if idempotency is not None:
        idempotency.forget(str(parent_id))
    return parent

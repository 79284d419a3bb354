"""Erasure (AVG art. 17) over the API: `POST /api/v1/parents/{id}/erasure`, admins only.

The erasure is itself an event (Parent.Erased, with its reason and who did it); then the
parent's key is destroyed, so their name, contact details, children's names and withdrawal
reasons read as "gewist" everywhere, for good. Counts and amounts stay as they were. Stored
idempotent answers that mention the parent are forgotten too. Put no personal data in the
reason: it stays readable in the audit log (write "verzoek van ouder", not the name)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import fields

from application.privacy import erase_parent
from domain.parent import Parent
from web.auth import current_actor, requires, system
from web.schemas import TEXT, ParentSchema, StrictSchema

PREFIX = "/api/v1"

privacy = Blueprint("api_privacy", __name__, url_prefix=PREFIX, description="Erasure of a parent's personal data (AVG)")


class ErasureSchema(StrictSchema):
    """Why a parent's personal data is erased (kept in the audit log: no personal data in it)."""

    reason = fields.String(required=True, validate=TEXT)


@privacy.route("/parents/<uuid:parent_id>/erasure", methods=["POST"])
@requires("erase")
@privacy.arguments(ErasureSchema)
@privacy.response(200, ParentSchema)
def erase_parent_data(data: dict[str, Any], parent_id: UUID) -> Parent:
    """Erase a parent's personal data for good (admins); answers the parent as shown afterwards."""
    return erase_parent(
        system().service, system().idempotency, parent_id,
        reason=data["reason"], actor=current_actor(),
    )


def register_privacy_api(api: Api) -> None:
    """Add the erasure endpoint."""
    api.register_blueprint(privacy)

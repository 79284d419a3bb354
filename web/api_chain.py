"""GET /api/v1/audit/chain: the sealed log, page by page, scoped to the caller's schools (events
of other schools appear only as the digest of their record). Reads through application/audit_chain.py."""

from __future__ import annotations

from typing import Any

from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, post_dump, validate

from application.audit_chain import AuditChain, ChainPage
from domain.limits import MAX_LOG_PAGE
from web.auth import current_actor, requires, system
from web.schemas import POSITION, StrictSchema

PREFIX = "/api/v1"
chain = Blueprint("api_audit_chain", __name__, url_prefix=PREFIX, description="The sealed log, to verify (auditors)")

HEX_DIGEST = {"pattern": "^[0-9a-f]{64}$"}


class ChainQuerySchema(StrictSchema):
    """Where to continue the chain, and how many positions to read."""

    after = fields.Integer(load_default=0, validate=POSITION)
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=MAX_LOG_PAGE))


class ChainEventSchema(Schema):
    """A stored event as the chain hashes it (docs/audit-chain.md): the fields of an export line."""

    aggregate_id = fields.String(metadata={"description": "the UUID with dashes"})
    version = fields.Integer()
    topic = fields.String()
    state = fields.String(metadata={"description": "the stored bytes, standard base64"})


class ChainItemSchema(Schema):
    """One position: its seal and either the event (the caller's schools) or its record's SHA-256."""

    position = fields.Integer()
    seal = fields.String(allow_none=True, metadata=HEX_DIGEST)
    event = fields.Nested(ChainEventSchema)
    content_digest = fields.String(metadata=HEX_DIGEST)

    @post_dump
    def leave_out_the_other(self, item: dict[str, Any], **_: Any) -> dict[str, Any]:
        # Each position carries `event` or `content_digest`, never both, never a null one.
        return {k: v for k, v in item.items() if v is not None or k == "seal"}


class ChainPageSchema(Schema):
    """A page of the chain; `next` is the `after` of the next page, null at the end."""

    items = fields.List(fields.Nested(ChainItemSchema))
    next = fields.Integer(allow_none=True)


@chain.route("/audit/chain", methods=["GET"])
@requires("audit")
@chain.arguments(ChainQuerySchema, location="query")
@chain.response(200, ChainPageSchema)
def get_audit_chain(query: dict[str, int]) -> ChainPage:
    """Every position after `after` with its seal, and the event or (outside your schools) its digest."""
    return AuditChain(system().service).page(query["after"], query["limit"], schools=current_actor().schools)


def register_chain_api(api: Api) -> None:
    """Add the chain endpoint."""
    api.register_blueprint(chain)

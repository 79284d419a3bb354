"""The transparency log over HTTP (auditors): the latest signed checkpoint, and RFC 9162
inclusion and consistency proofs over the seals' Merkle tree (docs/audit-chain.md). Hashes are
lowercase hex, except the checkpoint's own note, whose root is base64 as the format says. They
show only seals' hashes, never an event's content, so every auditor may read them."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from flask_smorest import Api, Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from adapters.checkpoints import CheckpointLog, consistency, inclusion
from adapters.merkle import ProofError
from adapters.sealing import SealedRecorder
from domain.errors import NotFoundError
from domain.limits import MAX_POSITION
from web.auth import requires, system
from web.schemas import StrictSchema

PREFIX = "/api/v1"
tlog = Blueprint("api_tlog", __name__, url_prefix=PREFIX, description="Signed checkpoints and proofs (auditors)")
Count = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_POSITION))


class CheckpointSchema(Schema):
    """The latest signed checkpoint: the C2SP signed note as written, and its three values."""

    origin = fields.String()
    size = fields.Integer()
    root = fields.String(metadata={"description": "the tree head, standard base64 (as in the note)"})
    note = fields.String(metadata={"description": "the signed note, byte for byte as in the checkpoint log"})


class InclusionQuerySchema(StrictSchema):
    """The event's log position and the tree size to prove it in."""

    position = Count
    size = Count


class InclusionSchema(Schema):
    """RFC 9162 inclusion proof: leaf `index` (0-based) of the tree of `size`; hashes in hex."""

    position = fields.Integer()
    index = fields.Integer()
    size = fields.Integer()
    leaf = fields.String(metadata={"description": "SHA-256(0x00 || seal), hex"})
    root = fields.String(metadata={"description": "the tree head of `size` leaves, hex"})
    proof = fields.List(fields.String(), metadata={"description": "the audit path, hex, leaf to root"})


class ConsistencyQuerySchema(StrictSchema):
    """The two tree sizes, `from` <= `to`."""

    from_ = fields.Integer(data_key="from", required=True, validate=validate.Range(min=1, max=MAX_POSITION))
    to = Count


class ConsistencySchema(Schema):
    """RFC 9162 consistency proof from the tree of `from` leaves to that of `to`; hashes in hex."""

    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    from_root = fields.String()
    to_root = fields.String()
    proof = fields.List(fields.String())


@contextmanager
def sizes_checked() -> Iterator[None]:
    """A position or size the tree does not have is the caller's mistake: 422, naming it."""
    try:
        yield
    except ProofError as e:
        raise ValidationError(str(e)) from None


def _recorder() -> SealedRecorder:
    recorder = system().service.recorder
    assert isinstance(recorder, SealedRecorder), "the store is opened with a sealing recorder"
    return recorder


@tlog.route("/audit/checkpoint", methods=["GET"])
@requires("audit")
@tlog.response(200, CheckpointSchema)
@tlog.alt_response(404, response="NOT_FOUND")  # before the first checkpoint is written
def get_checkpoint() -> dict[str, Any]:
    """The latest signed checkpoint in the checkpoint log (404 before the first)."""
    entries = CheckpointLog(system().config.checkpoint_log()).entries()
    if not entries:
        raise NotFoundError("checkpoint", "(none written yet)")
    note = entries[-1].note
    origin, size, root = note.split("\n")[:3]
    return {"origin": origin, "size": int(size), "root": root, "note": note}


@tlog.route("/audit/proof/inclusion", methods=["GET"])
@requires("audit")
@tlog.arguments(InclusionQuerySchema, location="query")
@tlog.response(200, InclusionSchema)
def get_inclusion_proof(query: dict[str, Any]) -> dict[str, Any]:
    """The proof that the event at `position` is in the tree of `size` leaves."""
    with sizes_checked():
        found = inclusion(_recorder(), query["position"], query["size"])
    return {"position": found.position, "index": found.index, "size": found.size, "leaf": found.leaf.hex(),
            "root": found.root.hex(), "proof": [h.hex() for h in found.proof]}


@tlog.route("/audit/proof/consistency", methods=["GET"])
@requires("audit")
@tlog.arguments(ConsistencyQuerySchema, location="query")
@tlog.response(200, ConsistencySchema)
def get_consistency_proof(query: dict[str, Any]) -> dict[str, Any]:
    """The proof that the tree of `from` leaves is a prefix of the tree of `to` leaves."""
    with sizes_checked():
        found = consistency(_recorder(), query["from_"], query["to"])
    return {"from_": found.old, "to": found.new, "from_root": found.old_root.hex(), "to_root": found.new_root.hex(),
            "proof": [h.hex() for h in found.proof]}


def register_tlog_api(api: Api) -> None:
    """Add the checkpoint and proof endpoints."""
    api.register_blueprint(tlog)

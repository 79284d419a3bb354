"""Liveness and readiness for load balancers and orchestrators: `GET /healthz` (the process
serves) and `GET /readyz` (the store answers and the projections can serve reads, with their lag),
each also under `/api/v1` beside the API.

Neither needs a sign-in, and neither says anything about parents, users or figures: only
`store`, `projections_lag` and, when not ready, the reason."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

log = logging.getLogger("betrokken.web")

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@bp.get("/api/v1/healthz")  # also beside the API, whose paths clients have under /api/v1
def healthz() -> Any:
    """200 while the process serves requests."""
    return jsonify(status="ok")


@bp.get("/readyz")
@bp.get("/api/v1/readyz")
def readyz() -> Any:
    """200 `{store, projections_lag}` when the store answers and the projections can catch up;
    503 with the reason otherwise (the store unreachable, the log's seals broken)."""
    projections = current_app.extensions["betrokken"].projections
    try:
        lag = max(row["lag"] for row in projections.status())
    except Exception as e:  # noqa: BLE001 - any failure to reach the store means "not ready"
        log.warning("not ready: the store did not answer (%s)", type(e).__name__)
        return jsonify(store="unavailable", reason=f"the store did not answer: {type(e).__name__}"), 503
    if projections.broken is not None:
        return jsonify(store="ok", projections_lag=lag,
                       reason=f"the log's seals are broken at position {projections.broken.position}"), 503
    return jsonify(store="ok", projections_lag=lag)


def init_app(app: Flask) -> None:
    """Add /healthz and /readyz (no sign-in, no CSRF: they only read)."""
    app.register_blueprint(bp)

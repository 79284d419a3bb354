"""The Flask app factory: one app per opened system, kept in `app.extensions["betrokken"]`.

create_app is handed the system (opened by the composition root, betrokken/system.py; see
betrokken/wsgi.py), sets up the OpenAPI-documented JSON API (flask-smorest) with the one error
table, then lets each part of the web layer add itself (the order below). Nothing here imports
betrokken/: the root depends on the web layer, never the other way round."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from web.access_log import init_app as init_access_log
from web.api import register_api
from web.api_access import register_access_api
from web.api_audit import register_audit_api
from web.api_chain import register_chain_api
from web.api_corrections import register_corrections_api
from web.api_message_figures import register_message_figures_api
from web.api_messages import register_messages_api
from web.api_privacy import register_privacy_api
from web.api_trial import register_trial_api
from web.api_projections import register_projection_api
from web.api_tlog import register_tlog_api
from web.api_week import register_week_api
from web.api_rules import register_rules_api
from web.deadline import init_app as init_deadline
from web.errors import register_error_handlers
from web.health import init_app as init_health
from web.idempotency import init_app as init_idempotency
from web.operations import OperationIds
from web.read_logging import init_app as init_read_logging
from web.schemas import ErrorSchema
from web.security import init_security
from web.staff import init_app as init_staff_ui
from web.system import System

API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Betrokken",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


class BetrokkenApi(Api):
    """flask-smorest's Api, answering its own errors (404, 405, webargs' 422) in our one shape."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # no catch-all: each view documents its errors (web/auth.py)

    def _register_error_handlers(self) -> None:
        register_error_handlers(self._app)


def create_app(system: System, config: dict[str, Any] | None = None) -> Flask:
    """A Betrokken web app on an opened system; `config` is Flask's (TESTING, DEBUG, ...)."""
    app = Flask(__name__)
    app.config.update(API_SETTINGS)
    app.config.update(config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the schemas' field order
    app.debug = bool((config or {}).get("DEBUG", False))  # never from FLASK_DEBUG in the environment
    app.extensions["betrokken"] = system
    init_access_log(app)  # first: its clock starts before, and its line is written after, every other hook
    init_deadline(app)  # a command still waiting on the store after BETROKKEN_REQUEST_DEADLINE answers 503
    init_security(app)  # server-side sessions, cookie flags, headers, throttling (web/security.py)

    api = BetrokkenApi(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.plugins.append(OperationIds())  # operationIds from the views' names (web/operations.py)
    app.extensions["betrokken_api"] = api
    init_idempotency(app, api)  # Idempotency-Key on POST/PUT (web/idempotency.py); before the blueprints

    # Each part adds its blueprints here; projection endpoints: register_projection_api(api).
    register_api(api)
    register_projection_api(api)
    register_audit_api(api)
    register_chain_api(api)  # the sealed log to verify (web/api_chain.py)
    register_privacy_api(api)  # erasure (web/api_privacy.py)
    register_trial_api(api)  # trials: allocation, fund, evaluation (web/api_trial.py)
    register_tlog_api(api)  # signed checkpoints and proofs (web/api_tlog.py)
    register_messages_api(api)  # messages to parents (web/api_messages.py)
    register_message_figures_api(api)  # messages per parent per week (web/api_message_figures.py)
    register_corrections_api(api)  # corrections, school year, closure (web/api_corrections.py)
    register_access_api(api)  # access reports and the read log (web/api_access.py)
    init_read_logging(app)  # every read of a parent's personal data is logged (web/read_logging.py)
    register_week_api(api)  # schools, series, to-do (web/api_week.py)
    register_rules_api(api)  # rules that change mid-year (web/api_rules.py)
    init_staff_ui(app)  # the staff web UI (web/staff): sign-in, CSRF, pages
    init_health(app)  # /healthz and /readyz for load balancers (web/health.py)
    return app

"""`GET /healthz` and `GET /readyz`: no sign-in, the readiness answer names the projections' lag,
and a store that does not answer (or a broken log) is 503 with the reason."""

from __future__ import annotations

import pytest

from adapters.config import StoreConfig
from adapters.verification import BrokenLogError
from betrokken.system import open_service
from tests.helpers.api_client import Api


def test_healthz_answers_without_a_sign_in(any_api: Api) -> None:
    for path in ("/healthz", "/api/v1/healthz"):
        r = any_api.client.get(path)
        assert r.status_code == 200 and r.json == {"status": "ok"}, path


def test_readyz_answers_beside_the_api_too(any_api: Api) -> None:
    any_api.app.extensions["betrokken"].projections.catch_up()
    for path in ("/readyz", "/api/v1/readyz"):
        r = any_api.client.get(path)
        assert r.status_code == 200 and r.json == {"store": "ok", "projections_lag": 0}, path


def test_readyz_reports_the_lag_of_events_another_process_wrote(any_api: Api, store: StoreConfig) -> None:
    any_api.parent()
    any_api.app.extensions["betrokken"].projections.catch_up()
    assert any_api.client.get("/readyz").json == {"store": "ok", "projections_lag": 0}

    other = open_service(store)  # another host: its saves do not wake this app's projections
    try:
        before = other.recorder.max_notification_id() or 0
        other.register_parent(school="12AB", name="Noor de Vries", children=[("Daan", 5)])
        written = (other.recorder.max_notification_id() or 0) - before
    finally:
        other.close()
    r = any_api.client.get("/readyz")
    assert r.status_code == 200
    assert r.json == {"store": "ok", "projections_lag": written} and written > 0


def test_readyz_is_503_when_the_store_does_not_answer(any_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    projections = any_api.app.extensions["betrokken"].projections

    def unreachable() -> int:
        raise ConnectionError("connection refused")

    monkeypatch.setattr(projections, "head", unreachable)
    r = any_api.client.get("/readyz")
    assert r.status_code == 503
    assert r.json["store"] == "unavailable" and "ConnectionError" in r.json["reason"]
    assert any_api.client.get("/healthz").status_code == 200


def test_readyz_is_503_when_the_log_s_seals_are_broken(any_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    projections = any_api.app.extensions["betrokken"].projections
    monkeypatch.setattr(projections, "broken", BrokenLogError(7, "a changed event"))
    r = any_api.client.get("/readyz")
    assert r.status_code == 503 and "position 7" in r.json["reason"]

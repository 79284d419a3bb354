"""The settings every host of one installation shares come from the mapping the configuration is
made from (not the process's environment behind its back), and the UI's signing key from
BETROKKEN_SECRET_KEY when it is set."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from adapters.config import StoreConfig
from betrokken.wsgi import open_app
from tests.helpers.hashing import CHEAP


def test_secrets_come_from_the_given_mapping_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETROKKEN_MASTER_KEY", base64.urlsafe_b64encode(bytes(32)).decode())
    given = base64.urlsafe_b64encode(bytes(range(32))).decode()
    config = StoreConfig.from_environ({"BETROKKEN_DATA_DIR": str(tmp_path), "BETROKKEN_MASTER_KEY": given})
    assert config.master_key() == bytes(range(32))
    assert given not in repr(config)
    generated = StoreConfig.from_environ({"BETROKKEN_DATA_DIR": str(tmp_path / "other")})
    assert generated.master_key() != bytes(32) and (tmp_path / "other" / "master.key").exists()


def test_the_ui_signing_key_comes_from_betrokken_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETROKKEN_SECRET_KEY", "gedeeld-geheim-van-de-installatie")
    apps = [open_app({"BETROKKEN_DATA_DIR": str(tmp_path / host), "TESTING": True, **CHEAP}) for host in ("a", "b")]
    try:
        assert {app.config["SECRET_KEY"] for app in apps} == {"gedeeld-geheim-van-de-installatie"}
        assert not (tmp_path / "a" / "secret_key").exists()
    finally:
        for app in apps:
            app.extensions["betrokken"].close()
    monkeypatch.delenv("BETROKKEN_SECRET_KEY")
    app = open_app({"BETROKKEN_DATA_DIR": str(tmp_path / "c"), "TESTING": True, **CHEAP})
    try:
        assert app.config["SECRET_KEY"] == (tmp_path / "c" / "secret_key").read_text().strip()
    finally:
        app.extensions["betrokken"].close()

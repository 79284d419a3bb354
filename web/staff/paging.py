"""Paging the staff UI's long lists: 50 rows a page, "vorige" and "volgende" links carrying the
list's opaque cursor (application/paging.py) and whatever else the page was asked (a search)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from werkzeug.exceptions import BadRequest

from application.paging import InvalidCursor, Key, Page, decode, encode

UI_PAGE = 50


def cursors(shape: tuple[type, ...]) -> dict[str, Key | None]:
    """The `after` and `before` of this request's address; a cursor no page gave out is a 400."""
    found: dict[str, Key | None] = {"after": None, "before": None}
    for name in found:
        text = request.args.get(name)
        if text:
            try:
                found[name] = decode(text[:200], shape)
            except InvalidCursor:
                raise BadRequest(f"{name}: not a cursor this list gave out") from None
    return found


def links(page: Page[Any]) -> dict[str, str | None]:
    """The addresses of the previous and next pages (None at either end), keeping the other arguments."""
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("after", "before")}
    endpoint = request.endpoint or ""
    return {
        "previous": url_for(endpoint, **{**kept, "before": encode(page.previous)}) if page.previous else None,
        "next": url_for(endpoint, **{**kept, "after": encode(page.next)}) if page.next else None,
    }

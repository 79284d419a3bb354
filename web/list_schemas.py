"""The paged lists' query parameters and answers: `?limit=N&after=CURSOR` (plus `q` and
`school` where they apply), answered as `{items, next}` like the audit log, `next` null at the
end. A cursor is opaque text a page gave out; anything else is a 422 naming `after`."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_dump, validate

from application.listing import DEFAULT_PAGE, MAX_PAGE, PROGRAM_PAGE, PARENT_KEY, PROGRAM_KEY, SESSION_KEY
from application.paging import InvalidCursor, Key, Page, decode, encode
from domain.limits import MAX_TEXT
from web.schemas import ParentSchema, ProgramSchema, SessionSchema, StrictSchema, brin

LIMIT = validate.Range(min=1, max=MAX_PAGE)


class Cursor(fields.String):
    """An opaque cursor from a page's `next`, read back into the key it stands for."""

    def __init__(self, shape: tuple[type, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shape = shape

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Key:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if not 1 <= len(text) <= 200:
            raise ValidationError("not a cursor this list gave out: use the `next` of the previous page")
        try:
            return decode(text, self.shape)
        except InvalidCursor as e:
            raise ValidationError(f"{e}: use the `next` of the previous page") from None


def limit_field(default: int = DEFAULT_PAGE) -> fields.Integer:
    return fields.Integer(load_default=default, validate=LIMIT,
                          metadata={"description": f"items per page, 1 to {MAX_PAGE} (default {default})"})


def cursor_field(shape: tuple[type, ...]) -> Cursor:
    return Cursor(shape, metadata={"description": "the `next` of the previous page (opaque)"})


def school_field() -> fields.String:
    return fields.String(validate=brin, metadata={"description": "only this school (BRIN code)"})


class ParentListQuerySchema(StrictSchema):
    """Which page of the parents: `q` searches names (case and accents ignored), `school` filters."""

    limit = limit_field()
    after = cursor_field(PARENT_KEY)
    q = fields.String(validate=validate.Length(max=MAX_TEXT), metadata={"description": "part of the parent's name"})
    school = school_field()


class ProgramListQuerySchema(StrictSchema):
    """Which page of the programmes; `school` filters."""

    limit = limit_field(PROGRAM_PAGE)
    after = cursor_field(PROGRAM_KEY)
    school = school_field()


class SessionListQuerySchema(StrictSchema):
    """Which page of the programme's sessions (in order of their start)."""

    limit = limit_field()
    after = cursor_field(SESSION_KEY)


class PageSchema(Schema):
    """A page of a list; `next` is the `after` of the next page, null at the end."""

    next = fields.String(allow_none=True)

    @pre_dump
    def from_page(self, page: Page[Any], **_: Any) -> dict[str, Any]:
        return {"items": page.items, "next": None if page.next is None else encode(page.next)}


class ParentPageSchema(PageSchema):
    """A page of parents, oldest registration first."""

    items = fields.List(fields.Nested(ParentSchema))


class ProgramPageSchema(PageSchema):
    """A page of programmes, oldest first."""

    items = fields.List(fields.Nested(ProgramSchema))


class SessionPageSchema(PageSchema):
    """A page of a programme's sessions, by start."""

    items = fields.List(fields.Nested(SessionSchema))

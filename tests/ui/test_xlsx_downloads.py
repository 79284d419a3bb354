"""The programme page's tables as an .xlsx workbook, read back with openpyxl: Dutch headers,
numbers as numbers with their percentage, euro and date formats, and a name never a formula."""

from __future__ import annotations

import io
from datetime import datetime

from flask import Flask
from openpyxl import load_workbook

from application.actor import Actor
from tests.ui.conftest import World

ADMIN = Actor("beheer", "admin", None)


def sheet_of(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(response.data)).active


def test_the_parents_table_as_a_workbook_holds_numbers_and_percentages(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    service.take_roll_call(world.session_1, [(world.parent_a, "present"), (world.parent_b, "absent")], actor=ADMIN)
    client = client_as("trainer")
    assert f"/programs/{world.program_id}/parents.xlsx" in client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    sheet = sheet_of(client, f"/programs/{world.program_id}/parents.xlsx")
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Ouder-id", "Naam", "Bijeenkomsten gehouden", "Keer aanwezig")
    fatima = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "Fatima El Amrani")
    assert fatima[3].value == 1 and fatima[-1].value == 1.0 and fatima[-1].number_format == "0.0%"


def test_euros_and_dates_are_cells_excel_can_count_with(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    service.take_roll_call(world.session_1, [(world.parent_a, "present")], actor=ADMIN)
    client = client_as("trainer")
    rewards = sheet_of(client, f"/programs/{world.program_id}/rewards.xlsx")
    header = [c.value for c in rewards[1]]
    earned = header.index("Verdiend (€)")
    fatima = next(r for r in rewards.iter_rows(min_row=2) if r[1].value == "Fatima El Amrani")
    assert fatima[earned].value == 12.5 and "€" in fatima[earned].number_format
    sessions = sheet_of(client, f"/programs/{world.program_id}/sessions.xlsx")
    starts = [c.value for c in sessions[1]].index("Begint")
    assert isinstance(sessions.cell(row=2, column=starts + 1).value, datetime)
    assert sessions.cell(row=2, column=starts + 1).value.hour == 19  # the school's wall clock


def test_a_name_that_looks_like_a_formula_stays_text(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    sly = service.register_parent(school="12AB", name="=HYPERLINK(\"http://x\")", children=[("K", 3)], actor=ADMIN)
    service.enroll(world.program_id, parent_id=sly.id, actor=ADMIN)
    response = client_as("trainer").get(f"/programs/{world.program_id}/parents.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cell = next(r[1] for r in sheet.iter_rows(min_row=2) if str(r[1].value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"

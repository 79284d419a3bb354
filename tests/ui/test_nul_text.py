"""A staff form whose text holds a NUL character is refused (400 page), and stores nothing."""

from __future__ import annotations

from tests.ui.conftest import post


def test_a_form_with_a_nul_character_is_refused_without_a_stack_trace(app, client_as):
    client = client_as("trainer")
    service = app.extensions["betrokken"].service
    head = service.recorder.max_notification_id() or 0
    r = post(client, "/parents/new", {"school": "12AB", "name": "Fatima\x00", "phone": "", "email": "", "language": "nl"})
    assert r.status_code == 400 and "Traceback" not in r.get_data(as_text=True)
    assert (service.recorder.max_notification_id() or 0) == head

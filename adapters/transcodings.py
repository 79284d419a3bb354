"""How values in events are written to the store beyond what eventsourcing knows already."""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    """A calendar date (enrolment, withdrawal, test) as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register(transcoder: JSONTranscoder) -> None:
    """Add Betrokken's transcodings to an application's transcoder."""
    transcoder.register(DateAsISO())

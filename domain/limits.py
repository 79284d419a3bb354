"""The limits of what Betrokken accepts as input, in one place.

The domain checks them, the API's schemas (web/schemas.py) and the staff forms (web/forms.py)
check them again before the domain is asked, so the three must agree: they all read them here."""

from __future__ import annotations

import re

BRIN_PATTERN = r"^[0-9]{2}[A-Z0-9]{2}$"
"""A school's BRIN code: two digits and two capitals or digits (12AB, 00A1)."""

MIN_GROUP, MAX_GROUP = 1, 8
"""A primary-school year group: groep 1 to 8."""

MAX_CENTS = 10**9
"""Ten million euro. Amounts reach 64-bit INTEGER columns in the projections, multiplied and
summed there: any amount above is a typing error (and a bigger one made every later projection
read fail, since the event was stored)."""

MAX_SESSIONS = 10**6
"""The largest minimum of sessions attended a completion rule may ask for."""

LARGEST_NUMBER = 10**9
"""The largest number typed in a form (a score, a percentage): bigger is a typing error, and
1e999999 became float('inf') or overflowed the cents conversion."""

MAX_POSITION = 2**53
"""A position in the event log; bigger overflowed SQLite's INTEGER (and JSON's exact integers)."""

MAX_LOG_PAGE = 1000
"""Events read from the log per page at most."""

# A session starts within these years. Outside them is a typing error, and near year 1 or 9999
# the moment cannot be converted to UTC or moved a week on: a stored event the projections
# could never read again.
FIRST_YEAR, LAST_YEAR = 1900, 2999

MIN_WEEKS, MAX_WEEKS = 1, 60
"""A weekly series of sessions: 1 to 60 weeks."""

ATTENDANCE_STATUSES = ("present", "absent", "excused")
"""A parent's status in a roll call."""

PAYOUT_METHODS = ("cash", "education_fund")
"""How a reward is paid: in cash, or into the child's education fund."""

# -- lengths of typed text ---------------------------------------------------------------------

MAX_TEXT = 500
"""A name, title, reason or location sent to the API."""

MAX_SHORT_TEXT = 40
"""A phone number or a home language."""

MAX_FORM_TEXT = 200
"""A name, title, location or e-mail address typed in the staff UI."""

MAX_HOMEWORK_TEXT = 2000
"""A homework assignment typed in the staff UI."""

MAX_CHILDREN_ROWS = 12
"""Children registered in one go on the staff UI's parent form."""

# -- e-mail addresses --------------------------------------------------------------------------

EMAIL_PATTERN = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}"
)
"""An e-mail address as the OpenAPI document states it (a JSON Schema pattern), checked exactly so
by the API and the staff form: no quoted names, no bare hosts."""


def is_email(value: str) -> bool:
    """Whether a text is an e-mail address as the API documents it."""
    return re.fullmatch(EMAIL_PATTERN, value) is not None

# -- messages to parents -----------------------------------------------------------------------

MAX_MESSAGE_TEXT = 2000
"""A message to parents (a reading list included); a text message is split by the provider."""

MAX_RECIPIENTS = 1000
"""Parents named in one message (a school's whole roll; more is a mistake)."""

# -- the coordinator's week --------------------------------------------------------------------

REGIONS = ("noord", "midden", "zuid")
"""The school-holiday regions of the Netherlands (rijksoverheid.nl's vakantiespreiding)."""

CADENCES = ("weekly", "fortnightly", "monthly")
"""How often a series of sessions meets: every week, every two weeks, or once a month."""

MAX_IMPORT_ROWS = 5000
"""Rows in one parents' import (a whole school's administration fits)."""

MAX_BULK_ENROLMENTS = 1000
"""Parents enrolled in one bulk call."""

PHONE_PATTERN = r"\+?[0-9]{9,15}"
"""A phone number once spaces, dashes, dots and brackets are left out: 9 to 15 digits, maybe a +."""


def is_phone(value: str) -> bool:
    """Whether a text is a phone number (06-12345678, +31 6 1234 5678, 010 123 4567)."""
    return re.fullmatch(PHONE_PATTERN, re.sub(r"[\s().-]", "", value)) is not None

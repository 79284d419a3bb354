"""A refusal from the domain, told in the user's language.

Domain errors carry an English message for logs and the API, and a stable `code`; the UI
picks its sentence by the code (and the details the error carries), so the rule stays in the
domain and only the wording lives here."""

from __future__ import annotations

from typing import Callable

from flask_babel import gettext as _

from domain.errors import DomainError
from web.i18n import fmt_money


def _outstanding(e: DomainError) -> str:
    cents = e.details.get("outstanding_cents")
    if isinstance(cents, int):
        return _("Dat is meer dan er openstaat (%(amount)s).", amount=fmt_money(cents))
    return _("Dat is meer dan er openstaat.")


def _not_enrolled(e: DomainError) -> str:
    if e.details.get("parent_ids"):
        return _("Niet iedereen was op de datum van de bijeenkomst ingeschreven voor het programma; er is niets opgeslagen.")
    return _("Deze ouder is niet ingeschreven voor het programma.")


def _invalid_date(e: DomainError) -> str:
    if "starts_at" in e.details:
        return _("Een bijeenkomst valt in de jaren 1900 tot en met 2999; controleer de datum.")
    if "withdrawn_on" in e.details:
        return _("De datum van uitschrijven kan niet voor de datum van inschrijven liggen.")
    return _("Een nieuwe inschrijving begint op of na de laatste uitschrijving.")


MESSAGES: dict[str, Callable[[DomainError], str]] = {
    "already_enrolled": lambda e: _("Deze ouder is al ingeschreven voor het programma."),
    "not_enrolled": _not_enrolled,
    "not_a_participant": lambda e: _("Deze ouder hoort niet bij dit huisbezoek."),
    "session_cancelled": lambda e: _("Deze bijeenkomst is geannuleerd."),
    "roll_call_recorded": lambda e: _("Er is al presentie opgenomen; deze bijeenkomst kan niet meer worden geannuleerd."),
    "no_homework_assigned": lambda e: _("Bij deze bijeenkomst is geen huiswerk opgegeven."),
    "unknown_child": lambda e: _("Dit kind hoort niet bij deze ouder."),
    "invalid_group": lambda e: _("Een groep is 1 tot en met 8."),
    "invalid_score": lambda e: _("De score moet tussen 0 en de maximale score liggen."),
    "invalid_date": _invalid_date,
    "school_mismatch": lambda e: _("Deze ouder staat ingeschreven bij een andere school dan het programma."),
    "payout_exceeds_outstanding": _outstanding,
    "invalid_amount": lambda e: _("Vul een bedrag groter dan € 0 in."),
    "concurrent_edit": lambda e: _("Iemand anders wijzigde dit tegelijk. Laad de pagina opnieuw en probeer het nog eens."),
}


def refusal(error: DomainError) -> str:
    """The sentence to show on the form for a refused command."""
    say = MESSAGES.get(getattr(error, "code", ""))
    if say is not None:
        return say(error)
    return _("Dit kan niet: %(reason)s", reason=error.message)


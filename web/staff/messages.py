"""A refusal from the domain, told in the user's language.

Domain errors carry an English message for logs and the API, and a stable `code`; the UI
picks its sentence by the error's class (and the details the error carries), so the rule stays
in the domain and only the wording lives here. Message ids are the Dutch sentences (as
everywhere in the UI); the English ones are in web/translations/en. Every DomainError subclass
has its own entry: tests/ui/test_refusal_messages.py walks them."""

from __future__ import annotations

from typing import Callable

from flask_babel import gettext as _

from domain import errors as refused
from domain.errors import DomainError
from domain.limits import FIRST_YEAR, LAST_YEAR, MAX_GROUP, MAX_WEEKS, MIN_GROUP, MIN_WEEKS
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
        return _("Een bijeenkomst valt in de jaren %(first)s tot en met %(last)s; controleer de datum.", first=FIRST_YEAR, last=LAST_YEAR)
    if "withdrawn_on" in e.details:
        return _("De datum van uitschrijven kan niet voor de datum van inschrijven liggen.")
    return _("Een nieuwe inschrijving begint op of na de laatste uitschrijving.")


Say = Callable[[DomainError], str]

MESSAGES: dict[type, Say] = {
    DomainError: lambda e: _("Dit kan niet: %(reason)s", reason=e.message),  # only a refusal without its own class
    # enrolment
    refused.AlreadyEnrolledError: lambda e: _("Deze ouder is al ingeschreven voor het programma."),
    refused.NotEnrolledError: _not_enrolled,
    refused.SchoolMismatchError: lambda e: _("Deze ouder staat ingeschreven bij een andere school dan het programma."),
    refused.InvalidDateError: _invalid_date,
    # sessions
    refused.NotAParticipantError: lambda e: _("Deze ouder hoort niet bij dit huisbezoek."),
    refused.SessionCancelledError: lambda e: _("Deze bijeenkomst is geannuleerd."),
    refused.RollCallRecordedError: lambda e: _("Er is al presentie opgenomen; deze bijeenkomst kan niet meer worden geannuleerd."),
    refused.NoHomeworkAssignedError: lambda e: _("Bij deze bijeenkomst is geen huiswerk opgegeven."),
    refused.StartTimeWithoutOffsetError: lambda e: _("De begintijd mist de tijdzone; vul de datum en tijd opnieuw in."),
    refused.UnknownAttendanceStatusError: lambda e: _("Kies per ouder aanwezig, afwezig of afgemeld."),
    refused.InvalidSeriesLengthError: lambda e: _("Vul %(min)s tot en met %(max)s weken in.", min=MIN_WEEKS, max=MAX_WEEKS),
    # parents and children
    refused.UnknownChildError: lambda e: _("Dit kind hoort niet bij deze ouder."),
    refused.InvalidGroupError: lambda e: _("Een groep is %(min)s tot en met %(max)s.", min=MIN_GROUP, max=MAX_GROUP),
    refused.InvalidScoreError: lambda e: _("De score moet tussen 0 en de maximale score liggen."),
    # programme settings and payouts
    refused.UnknownProgramKindError: lambda e: _("Kies een soort programma uit de lijst."),
    refused.InvalidRateError: lambda e: _("Vul een percentage van 0 tot 100 in."),
    refused.InvalidSessionCountError: lambda e: _("Het minimum aantal bijeenkomsten kan niet negatief of onwaarschijnlijk groot zijn."),
    refused.InvalidRewardAmountError: lambda e: _("Een beloning kan niet negatief of onwaarschijnlijk groot zijn."),
    refused.InvalidAmountError: lambda e: _("Vul een bedrag groter dan € 0 in."),
    refused.UnknownPayoutMethodError: lambda e: _("Kies contant of het onderwijsfonds."),
    refused.PayoutExceedsOutstandingError: _outstanding,
    # users
    refused.InvalidRoleError: lambda e: _("Deze rol bestaat niet."),
    refused.SchoolRequiredError: lambda e: _("Een medewerker werkt voor ten minste één school; kies een school."),
    refused.UserNameRequiredError: lambda e: _("Vul een gebruikersnaam in."),
    refused.UserExistsError: lambda e: _("Deze gebruikersnaam is al in gebruik."),
    refused.UnknownUserError: lambda e: _("Er is geen gebruiker met deze naam."),
    refused.UserDisabledError: lambda e: _("Deze gebruiker is uitgeschakeld."),
    # storage
    refused.ConcurrentEditError: lambda e: _("Iemand anders wijzigde dit tegelijk. Laad de pagina opnieuw en probeer het nog eens."),
    # messages to parents
    refused.InvalidMessageError: lambda e: _("Kies een doel uit de lijst en gebruik in de tekst alleen {naam}, {datum} en {plaats}."),
    # corrections and privacy
    refused.ProgramClosedError: lambda e: _("Dit programma is afgesloten; een beheerder kan het heropenen."),
    refused.ProgramOpenError: lambda e: _("Dit programma is niet afgesloten."),
    refused.ParentErasedError: lambda e: _("De gegevens van deze ouder zijn gewist; er valt niets meer te corrigeren."),
    refused.PayoutAlreadyReversedError: lambda e: _("Deze uitbetaling is al teruggedraaid."),
    refused.AssessmentWithdrawnError: lambda e: _("Deze toets is ingetrokken en kan niet meer worden gecorrigeerd."),
    refused.NothingToCorrectError: lambda e: _("Vul ten minste één gegeven in om te corrigeren."),
    refused.ErasureRefusedError: lambda e: _("Het verzoek om de gegevens te wissen is afgewezen; de reden staat in de geschiedenis."),
    # the coordinator's week
    refused.SchoolExistsError: lambda e: _("Deze BRIN-code staat al in het schoolregister."),
    refused.UnknownRegionError: lambda e: _("Kies de vakantieregio noord, midden of zuid."),
    refused.UnknownCadenceError: lambda e: _("Kies elke week, om de week of elke maand."),
    refused.NoSessionsLeftError: lambda e: _("Er vallen te veel data van de reeks in vakanties; kies een andere eerste datum."),
    refused.ImportRejectedError: lambda e: _("Er is niets geïmporteerd; verbeter de genoemde regels en probeer het opnieuw."),
    refused.SessionHeldError: lambda e: _("Er is al presentie opgenomen; deze bijeenkomst kan niet meer worden verplaatst."),
    # trials
    refused.InvalidArmsError: lambda e: _("Een onderzoek heeft ten minste twee groepen met elk een eigen naam."),
    refused.InvalidAllocationError: lambda e: _("Deze instellingen voor de loting passen niet bij de groepen van het programma."),
    refused.AllocationLockedError: lambda e: _("De loting ligt vast: er is al een ouder ingeloot."),
    refused.ArmChangeRefusedError: lambda e: _("Een ouder blijft in de groep die de loting gaf; alleen een beheerder kan dat met reden overschrijven."),
    refused.SeedMismatchError: lambda e: _("Dit is niet het zaadgetal waarop de loting is vastgelegd."),
    refused.TrialLockedError: lambda e: _("Het onderzoek is afgesloten: er wordt niemand meer ingeloot."),
    refused.FundArmCashPayoutError: lambda e: _("Deze ouder spaart in het onderwijsfonds van het kind; contant uitbetalen kan niet."),
    refused.FundBalanceError: lambda e: _("Dat is meer dan er in het onderwijsfonds van het kind staat."),
    refused.InvalidOutcomeMeasureError: lambda e: _("Kies een bekend meetinstrument, domein en meetmoment."),
    refused.TrialRulesFixedError: lambda e: _("In een onderzoek houdt elke groep de beloning waarmee is geloot; de regels wijzigen kan niet."),
    refused.RulesUnchangedError: lambda e: _("Op die datum gelden deze regels al; er verandert niets."),
}


def refusal(error: DomainError) -> str:
    """The sentence to show on the form for a refused command (its class's, or its nearest base's)."""
    owner = next(cls for cls in type(error).__mro__ if cls in MESSAGES)  # DomainError at the latest
    return MESSAGES[owner](error)

"""The rules that can refuse a command, one exception each (409 at the API).

Each refusal has a stable `code` (the API answers it, clients branch on it: never rename one)
and its own sentence in the staff UI (web/staff/messages.py, keyed by the class). The base
class's `rule_violated` is only for the abstract DomainError itself."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the programme refused the command; nothing was recorded."""

    code = "rule_violated"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(Exception):
    """The parent, programme, session or child does not exist (or is outside the user's schools)."""

    code = "not_found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")
        self.message = f"{what} {ident} not found"


# -- enrolment ---------------------------------------------------------------------------------


class AlreadyEnrolledError(DomainError):
    """The parent is already enrolled in the programme."""

    code = "already_enrolled"


class NotEnrolledError(DomainError):
    """The parent is (or was, on that day) not enrolled in the programme."""

    code = "not_enrolled"


class SchoolMismatchError(DomainError):
    """The parent is registered at another school than the programme's."""

    code = "school_mismatch"


class InvalidDateError(DomainError):
    """A date out of order (withdrawal before enrolment, re-enrolment before the last
    withdrawal) or a session outside the years a session may lie in."""

    code = "invalid_date"


# -- sessions ----------------------------------------------------------------------------------


class NotAParticipantError(DomainError):
    """The parent is not one of the participants of this home visit."""

    code = "not_a_participant"


class SessionCancelledError(DomainError):
    """The session is cancelled: no roll call, homework or second cancellation."""

    code = "session_cancelled"


class RollCallRecordedError(DomainError):
    """A session with a roll call cannot be cancelled."""

    code = "roll_call_recorded"


class NoHomeworkAssignedError(DomainError):
    """No homework was assigned at this session, so none can be recorded."""

    code = "no_homework_assigned"


class StartTimeWithoutOffsetError(DomainError):
    """A session's start time must say its UTC offset (its date depends on it)."""

    code = "start_time_without_offset"


class UnknownAttendanceStatusError(DomainError):
    """An attendance status is present, absent or excused (afgemeld)."""

    code = "unknown_attendance_status"


class InvalidSeriesLengthError(DomainError):
    """A weekly series runs for 1 to 60 weeks."""

    code = "invalid_series_length"


# -- parents and children ----------------------------------------------------------------------


class UnknownChildError(DomainError):
    """The child is not a child of this parent."""

    code = "unknown_child"


class InvalidGroupError(DomainError):
    """A primary-school year group is 1 to 8."""

    code = "invalid_group"


class InvalidScoreError(DomainError):
    """A score lies between 0 and a maximum score greater than 0."""

    code = "invalid_score"


# -- programme settings and payouts ------------------------------------------------------------


class UnknownProgramKindError(DomainError):
    """A programme is of one of the known kinds (PACT, Pittige Jaren, REAL, ...)."""

    code = "unknown_program_kind"


class InvalidRateError(DomainError):
    """A rate or threshold of the completion rule or reward scheme lies between 0 and 1."""

    code = "invalid_rate"


class InvalidSessionCountError(DomainError):
    """The minimum number of sessions attended is 0 or more, within the limit."""

    code = "invalid_session_count"


class InvalidRewardAmountError(DomainError):
    """A reward (per session, per homework, per assessment, the cap) is 0 or more, within the limit."""

    code = "invalid_reward_amount"


class InvalidAmountError(DomainError):
    """A payout is more than 0 cents, within the limit."""

    code = "invalid_amount"


class UnknownPayoutMethodError(DomainError):
    """A payout is in cash or into the child's education fund."""

    code = "unknown_payout_method"


class PayoutExceedsOutstandingError(DomainError):
    """A payout is never more than what the parent earned and was not yet paid."""

    code = "payout_exceeds_outstanding"


# -- users -------------------------------------------------------------------------------------


class InvalidRoleError(DomainError):
    """A user's role is one of the known roles."""

    code = "invalid_role"


class SchoolRequiredError(DomainError):
    """Staff work for at least one named school."""

    code = "school_required"


class UserNameRequiredError(DomainError):
    """A user needs a name to sign in with."""

    code = "user_name_required"


class UserExistsError(DomainError):
    """A user name is taken once."""

    code = "user_exists"


class UnknownUserError(DomainError):
    """There is no user with this name."""

    code = "unknown_user"


class UserDisabledError(DomainError):
    """A disabled user gets no new API token."""

    code = "user_disabled"


# -- storage -----------------------------------------------------------------------------------


class ConcurrentEditError(DomainError):
    """Someone else kept changing the same record; reload and retry."""

    code = "concurrent_edit"


# -- messages to parents -----------------------------------------------------------------------


class InvalidMessageError(DomainError):
    """A message with a purpose, channel or placeholder the toolkit's messages do not have."""

    code = "invalid_message"


# -- corrections and privacy -------------------------------------------------------------------


class ProgramClosedError(DomainError):
    """A closed programme takes no more sessions, enrolments, roll calls, payouts or corrections."""

    code = "program_closed"


class ProgramOpenError(DomainError):
    """Only a closed programme can be reopened."""

    code = "program_open"


class ParentErasedError(DomainError):
    """An erased parent's details can no longer be corrected (there is nothing left to correct)."""

    code = "parent_erased"


class PayoutAlreadyReversedError(DomainError):
    """A payout is reversed at most once: reversing more than was paid is refused."""

    code = "payout_already_reversed"


class AssessmentWithdrawnError(DomainError):
    """A withdrawn assessment is no longer corrected (record a new result instead)."""

    code = "assessment_withdrawn"


class NothingToCorrectError(DomainError):
    """A correction names at least one field to change."""

    code = "nothing_to_correct"


class ErasureRefusedError(DomainError):
    """The erasure request was refused (the refusal itself is recorded, with its reason)."""

    code = "erasure_refused"


# -- the coordinator's week --------------------------------------------------------------------


class SchoolExistsError(DomainError):
    """A school (BRIN code) is registered once."""

    code = "school_exists"


class UnknownRegionError(DomainError):
    """A school lies in the holiday region noord, midden or zuid."""

    code = "unknown_region"


class UnknownCadenceError(DomainError):
    """A series meets weekly, fortnightly or monthly."""

    code = "unknown_cadence"


class NoSessionsLeftError(DomainError):
    """Skipping the holidays left no date for the series within its reach."""

    code = "no_sessions_left"


class ImportRejectedError(DomainError):
    """A parents' import with a bad or duplicate row stores nothing; the rows are named."""

    code = "import_rejected"

    def __init__(self, message: str, problems: list[dict[str, object]] | None = None, **details: object) -> None:
        super().__init__(message, problems=problems or [], **details)
        self.problems: list[dict[str, object]] = problems or []


class SessionHeldError(DomainError):
    """A session with a roll call took place: it cannot be moved."""

    code = "session_held"


# -- trials (arms, allocation by lot, the education fund) ---------------------------------------


class InvalidArmsError(DomainError):
    """A trial's arms need distinct names and at least two of them."""

    code = "invalid_arms"


class InvalidAllocationError(DomainError):
    """The allocation's method, strata, block sizes, ratios or seed do not fit the trial."""

    code = "invalid_allocation"


class AllocationLockedError(DomainError):
    """The allocation cannot change once an enrolment was allocated (or the trial is locked)."""

    code = "allocation_locked"


class ArmChangeRefusedError(DomainError):
    """A parent stays in the arm the lot gave them; only an admin's documented override moves them."""

    code = "arm_change_refused"


class SeedMismatchError(DomainError):
    """The seed revealed is not the one committed to when the allocation was set up."""

    code = "seed_mismatch"


class TrialLockedError(DomainError):
    """A locked trial takes no new allocations."""

    code = "trial_locked"


class FundArmCashPayoutError(DomainError):
    """A family in an education-fund arm is paid into the child's fund, never in cash."""

    code = "fund_arm_cash_payout"


class FundBalanceError(DomainError):
    """More released or forfeited from a child's education fund than it holds."""

    code = "fund_balance_exceeded"


class InvalidOutcomeMeasureError(DomainError):
    """An assessment's instrument, domain or moment is not one the evaluation knows."""

    code = "invalid_outcome_measure"


# -- rules that change mid-year ------------------------------------------------------------------


class TrialRulesFixedError(DomainError):
    """A trial's rules stay as its arms were allocated under (each arm has its own scheme)."""

    code = "trial_rules_fixed"


class RulesUnchangedError(DomainError):
    """A rule change that changes nothing: the rules in force on that date are already these."""

    code = "rules_unchanged"

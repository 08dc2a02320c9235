"""Training programmes, their sessions and who holds a seat: the queries the programme flows need.

Seats are counted under a lock on the session's row (`FOR UPDATE` on PostgreSQL; on SQLite every
writer already holds the database), so however many owners ask for the last seat at once, exactly
one gets it and the rest are offered the waiting list. An owner marked as having attended still
holds their seat, and so does one marked as not come: the session is over, so nothing is given to the waiting list.

Officers see and change sessions within their scope: the whole province, or one kabupaten/kota,
whose sessions are those held there and whose programmes are those open to it or holding a session there.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    update,
)

from store.dialects import DIALECTS
from store.models import (
    AuditEvent,
    Business,
    Enrollment,
    Evaluation,
    Owner,
    Programme,
    TrainingSession,
    as_utc,
)
from store.officers import PROVINCE, within

_programmes = Programme.__table__
_sessions = TrainingSession.__table__
_enrollments = Enrollment.__table__
_owners = Owner.__table__
_businesses = Business.__table__
_audit = AuditEvent.__table__
_evaluations = Evaluation.__table__


class Status(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    ABSENT = "absent"  # registered, and marked as not come


class SignUp(StrEnum):
    """What asking for a seat came to."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    FULL = "full"  # no seat left and the waiting list was not asked for
    ALREADY = "already"  # registered, waitlisted or attended in this session before
    OTHER_SESSION = "other_session"  # holds a place in another session of the same programme
    CLOSED = "closed"  # the sign-up deadline has passed
    NOT_OPEN_TO_YOU = "not_open_to_you"


class Closed(StrEnum):
    """Why a programme is not open to an owner: the first of its lists that none of their businesses meets."""

    KABUPATEN = "kabupaten"  # for other kabupaten/kota
    CLASS = "class"  # for businesses of other classes, in the owner's kabupaten
    SECTOR = "sector"  # for other sectors, of the owner's kabupaten and class


class Attendance(StrEnum):
    """What marking owners as having come, or not, came to."""

    CHANGED = "changed"
    NOT_STARTED = "not_started"  # nobody can have come, or not, to a session still ahead
    NO_SESSION = "no_session"  # not a session in the officer's scope


@dataclass(frozen=True, slots=True)
class ProgrammeRecord:
    """A programme as an import file gives it; empty tuples mean open to every one."""

    code: str
    name: str
    description: str
    organiser: str
    dimensions: tuple[str, ...]
    kabupaten_codes: tuple[str, ...] = ()
    business_classes: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as an import file gives it, named by its programme's code and its own."""

    programme_code: str
    code: str
    starts_at: datetime
    ends_at: datetime
    place: str
    kabupaten_code: str
    capacity: int
    signup_deadline: datetime
    cancelled: bool = False  # the file cancels it; a cancelled session stays cancelled whatever a later file says


@dataclass
class Tally:
    """How many rows of one kind an import created, updated and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportCounts:
    programmes: Tally = field(default_factory=Tally)
    sessions: Tally = field(default_factory=Tally)
    promoted: list[tuple[int, int]] = field(default_factory=list)  # (session id, owner id) given a freed seat
    moved: list[int] = field(default_factory=list)  # sessions whose time or place changed: their owners are told
    # sessions the file cancelled, each with the owners who held or waited for a place: they are told
    cancelled: list[tuple[int, list[int]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who is asking: the kabupaten, class and sector of each of an owner's businesses."""

    businesses: tuple[tuple[str, str, str], ...]

    @property
    def kabupaten_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(kabupaten for kabupaten, _class, _sector in self.businesses))


@dataclass(frozen=True, slots=True)
class Listing:
    """A programme open to an owner, with its next session anywhere and in the owner's kabupaten."""

    programme_id: int
    name: str
    next_start: datetime
    next_near: datetime | None  # the next session in the owner's kabupaten, if one is
    mine: str | None = None  # the asking owner's place in a session ahead (Status), when they hold or wait for one


@dataclass(frozen=True, slots=True)
class ClosedCount:
    """How many programmes with a session ahead are not open to an owner for one reason; for a class,
    the classes they are for."""

    reason: Closed
    classes: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The programmes with a session ahead as one owner sees them (see `Training.catalogue`)."""

    open: list[Listing]
    closed: list[ClosedCount]


@dataclass(frozen=True, slots=True)
class ProgrammeInfo:
    id: int
    code: str
    name: str
    description: str
    organiser: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session with its seats taken, its waiting list and, for the asking owner, their place in it."""

    id: int
    programme_id: int
    programme_name: str
    starts_at: datetime
    ends_at: datetime
    place: str
    kabupaten_code: str
    capacity: int
    signup_deadline: datetime
    taken: int  # seats held by the registered and by those marked as having attended
    waitlisted: int
    status: str | None  # the asking owner's, when they hold or wait for a place
    position: int | None = None  # the asking owner's on the waiting list, from 1, when they wait

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True, slots=True)
class SessionSeats:
    """A session as officers see it: its programme, when and where, and how many hold, wait for or used a seat."""

    id: int
    programme_id: int
    programme_code: str
    programme_name: str
    code: str
    starts_at: datetime
    ends_at: datetime
    place: str
    kabupaten_code: str
    capacity: int
    signup_deadline: datetime
    cancelled_at: datetime | None
    registered: int
    waitlisted: int
    attended: int
    absent: int

    @property
    def taken(self) -> int:
        """The seats taken: by the registered, those who attended and those marked as not come."""
        return self.registered + self.attended + self.absent

    @property
    def fill_rate(self) -> float:
        """The share of the seats taken."""
        return self.taken / self.capacity

    @property
    def record(self) -> SessionRecord:
        """The session as an import file gives it."""
        return SessionRecord(self.programme_code, self.code, self.starts_at, self.ends_at, self.place,
                             self.kabupaten_code, self.capacity, self.signup_deadline, self.cancelled_at is not None)


@dataclass(frozen=True, slots=True)
class ProgrammeSessions:
    """A programme with its sessions in an officer's scope: those ahead, soonest first, then past ones, latest first."""

    id: int
    code: str
    name: str
    organiser: str
    kabupaten_codes: tuple[str, ...]  # who may join; none: every kabupaten/kota
    sessions: tuple[SessionSeats, ...]


@dataclass(frozen=True, slots=True)
class Marked:
    """What marking owners as having come, or not, came to, and how many places it changed."""

    outcome: Attendance
    changed: int = 0


@dataclass(frozen=True, slots=True)
class EvaluationAnswer:
    """What an owner who attended a session answered when asked to evaluate it; a question not answered is None."""

    asked_at: datetime
    answered_at: datetime | None
    usefulness: int | None  # 1-5
    trainer: int | None  # 1-5
    will_apply: str | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class Rating:
    """The answers to one 1-5 question: how many gave one and their sum, so that sessions' ratings add up."""

    count: int = 0
    total: int = 0

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None

    def __add__(self, other: "Rating") -> "Rating":
        return Rating(self.count + other.count, self.total + other.total)


@dataclass(frozen=True, slots=True)
class EvaluationResults:
    """What the attendees of a session (or of several, added up) said of it: how many were asked, how many
    answered anything, and the two ratings, each over those who gave it."""

    asked: int = 0
    answered: int = 0
    usefulness: Rating = Rating()
    trainer: Rating = Rating()

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    def __add__(self, other: "EvaluationResults") -> "EvaluationResults":
        return EvaluationResults(self.asked + other.asked, self.answered + other.answered,
                                 self.usefulness + other.usefulness, self.trainer + other.trainer)


@dataclass(frozen=True, slots=True)
class Participant:
    """An owner's place in a session, with what an officer needs at the door: their phone and business (see
    `Training.participants`: None when the officer may see none of the owner's businesses), and their evaluation
    of the session once they were asked for one."""

    owner_id: int
    name: str
    phone: str
    business: str | None
    registration_number: str | None
    kabupaten_code: str | None  # the business's
    status: str
    position: int | None  # on the waiting list, from 1
    evaluation: EvaluationAnswer | None


def _listed(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    """Whether a space-separated list holds a value, or is empty and so holds every value."""
    return or_(column == "", (literal(" ") + column + literal(" ")).like(f"% {value} %"))


def _programme_row(record: ProgrammeRecord) -> dict[str, object]:
    """A programme as its row holds it: each list as codes separated by spaces."""
    return {**asdict(record), **{name: " ".join(getattr(record, name)) for name in
                                 ("dimensions", "kabupaten_codes", "business_classes", "sectors")}}


def _session_row(record: SessionRecord, programme_id: int) -> dict[str, object]:
    """A session as its row holds it: its programme by id, its times in UTC."""
    values = {**asdict(record), "programme_id": programme_id,
              **{name: as_utc(getattr(record, name)) for name in ("starts_at", "ends_at", "signup_deadline")}}
    del values["programme_code"], values["cancelled"]
    return values


# What owners with a place in a session are told again when it changes.
_WHERE_AND_WHEN = (_sessions.c.starts_at, _sessions.c.ends_at, _sessions.c.place, _sessions.c.kabupaten_code)


def _where_and_when(row: Row[Any]) -> tuple[object, ...]:
    return tuple(as_utc(value) if isinstance(value, datetime) else value for value in row)


_ADMISSION = (_programmes.c.kabupaten_codes, _programmes.c.business_classes, _programmes.c.sectors)


def _admitted(audience: Audience, lists: int) -> ColumnElement[bool]:
    """A programme whose first `lists` lists (kabupaten, class, sector) all admit any one of these businesses."""
    return or_(*(and_(*(_listed(column, value) for column, value in zip(_ADMISSION[:lists], business, strict=False)))
                 for business in audience.businesses))


def open_to(audience: Audience) -> ColumnElement[bool]:
    """A programme any one of these businesses may join: its kabupaten, class and sector all admitted."""
    return _admitted(audience, len(_ADMISSION))


FILE_ACTOR = "programme file"  # who the audit says cancelled a session a file cancels


def still_ahead(now: datetime) -> ColumnElement[bool]:
    """A session that is still to come: not started yet, and not cancelled."""
    return and_(_sessions.c.starts_at > now, _sessions.c.cancelled_at.is_(None))


_HOLDS_PLACE = (Status.REGISTERED, Status.WAITLISTED)
_EVALUATION_ANSWER = (_evaluations.c.asked_at, _evaluations.c.answered_at, _evaluations.c.usefulness,
                      _evaluations.c.trainer, _evaluations.c.will_apply, _evaluations.c.comment)
_SESSION_ROW = (_sessions.c.programme_id, _sessions.c.capacity, _sessions.c.signup_deadline, _sessions.c.starts_at,
                _sessions.c.cancelled_at)
_SEATS_TAKEN = (Status.REGISTERED, Status.ATTENDED, Status.ABSENT)
_MARKABLE = (Status.REGISTERED, Status.ATTENDED, Status.ABSENT)  # the places whose owner can have come, or not
_TAKEN = (select(_enrollments.c.session_id, func.count().label("taken"))
          .where(_enrollments.c.status.in_(_SEATS_TAKEN))
          .group_by(_enrollments.c.session_id))


def _sessions_in(scope: str) -> list[ColumnElement[bool]]:
    """The sessions an officer of this scope sees: those held in their kabupaten/kota, or every one."""
    return within(_sessions.c.kabupaten_code, scope)


def _programmes_in(scope: str) -> list[ColumnElement[bool]]:
    """The programmes an officer of this scope sees: those open to their kabupaten/kota or held there, or every one."""
    if scope == PROVINCE:
        return []
    held_there = exists().where(_sessions.c.programme_id == _programmes.c.id, _sessions.c.kabupaten_code == scope)
    return [or_(_listed(_programmes.c.kabupaten_codes, scope), held_there)]


_PARTICIPANT_ORDER = {Status.REGISTERED: 0, Status.WAITLISTED: 1, Status.ATTENDED: 2, Status.ABSENT: 3,
                      Status.CANCELLED: 4}


def _count_of(*statuses: Status) -> ColumnElement[int]:
    """A session row's places in these statuses, counted on the index for that session alone."""
    return (select(func.count()).select_from(_enrollments)
            .where(_enrollments.c.session_id == _sessions.c.id, _enrollments.c.status.in_(statuses))
            .scalar_subquery())


def _waiting_position(owner_id: int) -> ColumnElement[int]:
    """A session row's place of the owner on its waiting list, from 1, in the order seats are given (_fill_seats);
    0 when they are not waiting."""
    me, ahead = _enrollments.alias("me"), _enrollments.alias("ahead")
    return (select(func.count()).select_from(me.join(ahead, ahead.c.session_id == me.c.session_id))
            .where(me.c.session_id == _sessions.c.id, me.c.owner_id == owner_id, me.c.status == Status.WAITLISTED,
                   ahead.c.status == Status.WAITLISTED,
                   or_(ahead.c.since < me.c.since, and_(ahead.c.since == me.c.since, ahead.c.id <= me.c.id)))
            .scalar_subquery())


class Training:
    """The programme queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    # -- what owners see ---------------------------------------------------------------

    def catalogue(self, audience: Audience, owner_id: int | None = None) -> Catalogue:
        """The programmes with a session ahead as the owner sees them: those open to them (`open_programmes`), and
        how many are closed to them, by why (`_closed`)."""
        return Catalogue(self.open_programmes(audience, owner_id), self._closed(audience))

    def open_programmes(self, audience: Audience, owner_id: int | None = None) -> list[Listing]:
        """Programmes open to the owner with a session still ahead: those with one in their kabupaten first; with
        `owner_id`, each with the owner's place in one of its sessions ahead."""
        if not audience.businesses:
            return []
        next_near = func.min(case((_sessions.c.kabupaten_code.in_(audience.kabupaten_codes), _sessions.c.starts_at)))
        rows = self._connection.execute(
            select(_programmes.c.id, _programmes.c.name, func.min(_sessions.c.starts_at), next_near)
            .join(_sessions, _sessions.c.programme_id == _programmes.c.id)
            .where(still_ahead(self.now), open_to(audience))
            .group_by(_programmes.c.id, _programmes.c.name)
            .order_by(next_near.is_(None), next_near, func.min(_sessions.c.starts_at), _programmes.c.id)
        )
        held = self._places_held(owner_id) if owner_id is not None else {}
        return [Listing(row[0], row[1], as_utc(row[2]), as_utc(row[3]) if row[3] else None, held.get(row[0]))
                for row in rows]

    def _closed(self, audience: Audience) -> list[ClosedCount]:
        """How many programmes with a session ahead none of the owner's businesses may join, by why: the first list
        (kabupaten, then class, then sector) that no business meets along with the lists before it."""
        if not audience.businesses:
            return []
        reason = case((not_(_admitted(audience, 1)), literal(Closed.KABUPATEN.value)),
                      (not_(_admitted(audience, 2)), literal(Closed.CLASS.value)), else_=literal(Closed.SECTOR.value))
        ahead = exists().where(_sessions.c.programme_id == _programmes.c.id, still_ahead(self.now))
        # Counted over programmes, each once, not over their sessions (one query grouping both took longer).
        closed = (select(reason.label("reason"),
                         case((reason == Closed.CLASS.value, _programmes.c.business_classes), else_="").label("classes"))
                  .where(ahead, not_(open_to(audience))).subquery())
        rows = self._connection.execute(select(closed.c.reason, closed.c.classes, func.count())
                                        .group_by(closed.c.reason, closed.c.classes)).all()
        order = list(Closed)
        return sorted((ClosedCount(Closed(row[0]), tuple(row[1].split()), row[2]) for row in rows),
                      key=lambda counted: (order.index(counted.reason), counted.classes))

    def _places_held(self, owner_id: int) -> dict[int, str]:
        """The owner's place (Status) in each programme where they hold or wait for one in a session ahead."""
        # One place per programme at most (sign_up); the least status is the one.
        return dict(self._connection.execute(
            select(_sessions.c.programme_id, func.min(_enrollments.c.status))
            .join(_sessions, _sessions.c.id == _enrollments.c.session_id)
            .where(_enrollments.c.owner_id == owner_id, _enrollments.c.status.in_(_HOLDS_PLACE),
                   still_ahead(self.now))
            .group_by(_sessions.c.programme_id)).all())

    def programme_id(self, code: str) -> int | None:
        """The id of the programme with this code (an import file's name for it), if there is one."""
        return self._connection.scalar(select(_programmes.c.id).where(_programmes.c.code == code))

    def programme(self, programme_id: int) -> ProgrammeInfo | None:
        row = self._connection.execute(
            select(_programmes.c.id, _programmes.c.code, _programmes.c.name, _programmes.c.description,
                   _programmes.c.organiser, _programmes.c.dimensions)
            .where(_programmes.c.id == programme_id)).first()
        if row is None:
            return None
        return ProgrammeInfo(*row[:5], tuple(row.dimensions.split()))

    def open_in(self, kabupaten: str | None = None) -> list[tuple[int, str]]:
        """Each programme's id and name, oldest first, so a number shown stays right; with a kabupaten, only
        those its businesses may join."""
        where = _listed(_programmes.c.kabupaten_codes, kabupaten) if kabupaten is not None else literal(True)
        rows = self._connection.execute(select(_programmes.c.id, _programmes.c.name).where(where)
                                        .order_by(_programmes.c.id))
        return [(row[0], row[1]) for row in rows]

    def is_open_to(self, programme_id: int, audience: Audience) -> bool:
        return bool(audience.businesses) and self._connection.execute(
            select(_programmes.c.id).where(_programmes.c.id == programme_id, open_to(audience))).first() is not None

    def recommended(self, dimensions: Sequence[str], audience: Audience, limit: int) -> list[Listing]:
        """Programmes open to the owner that teach one of these dimensions, the first dimension's first."""
        found: dict[int, Listing] = {}
        listings = self.open_programmes(audience)
        teaches = dict(self._connection.execute(
            select(_programmes.c.id, _programmes.c.dimensions)
            .where(_programmes.c.id.in_([listing.programme_id for listing in listings]))).all())
        for dimension in dimensions:
            for listing in listings:
                if dimension in teaches[listing.programme_id].split():
                    found.setdefault(listing.programme_id, listing)
        return list(found.values())[:limit]

    def nearest_of(self, codes: Sequence[str], near: Sequence[str]) -> list[SessionInfo]:
        """For each programme of these codes with a session ahead, its session nearest: in `near`, else the soonest."""
        nearest: dict[int, SessionInfo] = {}
        for session in self._session_infos(None, _programmes.c.code.in_(codes), near):
            nearest.setdefault(session.programme_id, session)
        return list(nearest.values())

    def sessions(self, programme_id: int, owner_id: int, near: Sequence[str] = ()) -> list[SessionInfo]:
        """A programme's sessions still ahead, those in the owner's kabupaten first, then by date."""
        return self._session_infos(owner_id, _sessions.c.programme_id == programme_id, near)

    def session(self, session_id: int, owner_id: int | None) -> SessionInfo | None:
        found = self._session_infos(owner_id, _sessions.c.id == session_id, (), upcoming_only=False)
        return found[0] if found else None

    def upcoming_of(self, owner_id: int) -> list[SessionInfo]:
        """The sessions ahead where the owner holds or waits for a place, soonest first."""
        mine = select(_enrollments.c.session_id).where(_enrollments.c.owner_id == owner_id,
                                                       _enrollments.c.status.in_(_HOLDS_PLACE))
        return self._session_infos(owner_id, _sessions.c.id.in_(mine), ())

    def attended_by(self, owner_id: int) -> list[SessionInfo]:
        """The sessions the owner was marked as having attended, earliest first."""
        theirs = select(_enrollments.c.session_id).where(_enrollments.c.owner_id == owner_id,
                                                         _enrollments.c.status == Status.ATTENDED)
        return self._session_infos(None, _sessions.c.id.in_(theirs), (), upcoming_only=False)

    def upcoming_near(self, audience: Audience, limit: int) -> list[SessionInfo]:
        """The next sessions open to the owner in their kabupaten."""
        if not audience.businesses:
            return []
        where = and_(_sessions.c.kabupaten_code.in_(audience.kabupaten_codes), open_to(audience))
        return self._session_infos(None, where, (), limit=limit)

    def _session_infos(self, owner_id: int | None, where: ColumnElement[bool], near: Sequence[str], *,
                       upcoming_only: bool = True, limit: int | None = None) -> list[SessionInfo]:
        mine = (select(_enrollments.c.status)
                .where(_enrollments.c.session_id == _sessions.c.id, _enrollments.c.owner_id == owner_id,
                       _enrollments.c.status.in_(_HOLDS_PLACE))
                .scalar_subquery()) if owner_id is not None else literal(None)
        position = _waiting_position(owner_id) if owner_id is not None else literal(None)
        conditions = [where] + ([still_ahead(self.now)] if upcoming_only else [])
        order = [case((_sessions.c.kabupaten_code.in_(near), 0), else_=1)] if near else []
        query = (
            select(_sessions.c.id, _sessions.c.programme_id, _programmes.c.name, _sessions.c.starts_at,
                   _sessions.c.ends_at, _sessions.c.place, _sessions.c.kabupaten_code, _sessions.c.capacity,
                   _sessions.c.signup_deadline, _count_of(*_SEATS_TAKEN), _count_of(Status.WAITLISTED), mine,
                   position)
            .join(_programmes, _programmes.c.id == _sessions.c.programme_id)
            .where(*conditions)
            .order_by(*order, _sessions.c.starts_at, _sessions.c.id)
            .limit(limit)
        )
        return [SessionInfo(row[0], row[1], row[2], as_utc(row[3]), as_utc(row[4]), *row[5:8], as_utc(row[8]),
                            *row[9:12], row[12] or None)
                for row in self._connection.execute(query)]

    # -- taking and giving up seats ------------------------------------------------------

    def sign_up(self, session_id: int, owner_id: int, audience: Audience, *, waitlist: bool) -> SignUp:
        """Take a seat if one is left; with `waitlist`, join the waiting list when none is."""
        outcome = self._asking(self._lock_session(session_id), session_id, owner_id, audience)
        if outcome is SignUp.FULL and waitlist:
            outcome = SignUp.WAITLISTED
        if outcome in (SignUp.REGISTERED, SignUp.WAITLISTED):
            self._enroll(session_id, owner_id, Status(outcome.value))
        return outcome

    def would_sign_up(self, session_id: int, owner_id: int, audience: Audience) -> SignUp:
        """What asking for a seat would come to now, writing nothing: REGISTERED while a seat is left, FULL, or why
        the owner cannot have one; the seat itself is counted again, under the lock, by `sign_up`."""
        return self._asking(self._session_row(session_id), session_id, owner_id, audience)

    def _asking(self, session, session_id: int, owner_id: int, audience: Audience) -> SignUp:  # noqa: ANN001 - a Row
        """REGISTERED when a seat is left for the owner in this session (its row, as read), FULL, or why not."""
        if session is None or not self.is_open_to(session.programme_id, audience):
            return SignUp.NOT_OPEN_TO_YOU
        if as_utc(session.signup_deadline) < self.now or as_utc(session.starts_at) <= self.now \
                or session.cancelled_at is not None:
            return SignUp.CLOSED
        held = self._connection.scalar(select(_enrollments.c.status).where(
            _enrollments.c.session_id == session_id, _enrollments.c.owner_id == owner_id))
        if held is not None and held != Status.CANCELLED:  # an attended seat too: a session moved later keeps it
            return SignUp.ALREADY
        elsewhere = self._connection.execute(
            select(_enrollments.c.session_id)
            .join(_sessions, _sessions.c.id == _enrollments.c.session_id)
            .where(_enrollments.c.owner_id == owner_id, _enrollments.c.status.in_(_HOLDS_PLACE),
                   _sessions.c.programme_id == session.programme_id, still_ahead(self.now))).first()
        if elsewhere is not None:
            return SignUp.OTHER_SESSION
        return SignUp.REGISTERED if self._registered(session_id) < session.capacity else SignUp.FULL

    def withdraw(self, session_id: int, owner_id: int) -> list[int]:
        """Give up a seat or a place on the waiting list; returns the owners who got the freed seats."""
        session = self._lock_session(session_id)
        if session is None:
            return []
        self._connection.execute(
            update(_enrollments)
            .where(_enrollments.c.session_id == session_id, _enrollments.c.owner_id == owner_id,
                   _enrollments.c.status.in_(_HOLDS_PLACE))
            .values(status=Status.CANCELLED, since=self.now))
        return self._fill_seats(session_id, session.capacity)

    def _lock_session(self, session_id: int, *where: ColumnElement[bool]):  # noqa: ANN202 - a Row of its columns
        return self._connection.execute(
            select(*_SESSION_ROW).where(_sessions.c.id == session_id, *where).with_for_update()).first()

    def _session_row(self, session_id: int):  # noqa: ANN202 - a Row of its columns
        """The session's row as `_lock_session` reads it, unlocked: for what is only shown."""
        return self._connection.execute(select(*_SESSION_ROW).where(_sessions.c.id == session_id)).first()

    def _registered(self, session_id: int) -> int:
        """The seats taken: by the registered, and by those marked as having attended."""
        return self._connection.execute(
            select(func.count()).select_from(_enrollments)
            .where(_enrollments.c.session_id == session_id, _enrollments.c.status.in_(_SEATS_TAKEN))).scalar_one()

    def _enroll(self, session_id: int, owner_id: int, status: Status) -> None:
        """Give the owner a place; of an earlier row, only a cancelled one is taken up again."""
        insert = DIALECTS[self._dialect].insert(_enrollments)
        self._connection.execute(
            insert.values(session_id=session_id, owner_id=owner_id, status=status, since=self.now)
            .on_conflict_do_update(index_elements=["session_id", "owner_id"],
                                   set_={"status": status, "since": self.now},
                                   where=_enrollments.c.status == Status.CANCELLED))

    def _fill_seats(self, session_id: int, capacity: int) -> list[int]:
        """Give free seats to the waiting list, first come first served; the session is locked."""
        free = capacity - self._registered(session_id)
        if free <= 0:
            return []
        promoted = self._connection.execute(
            select(_enrollments.c.owner_id)
            .where(_enrollments.c.session_id == session_id, _enrollments.c.status == Status.WAITLISTED)
            .order_by(_enrollments.c.since, _enrollments.c.id).limit(free)).scalars().all()
        if promoted:
            self._connection.execute(
                update(_enrollments)
                .where(_enrollments.c.session_id == session_id, _enrollments.c.owner_id.in_(promoted))
                .values(status=Status.REGISTERED, since=self.now))
        return list(promoted)

    # -- reminders -----------------------------------------------------------------------

    def holding_places(self, session_id: int) -> list[int]:
        """The owners registered in a session or on its waiting list."""
        return list(self._connection.scalars(
            select(_enrollments.c.owner_id)
            .where(_enrollments.c.session_id == session_id, _enrollments.c.status.in_(_HOLDS_PLACE))
            .order_by(_enrollments.c.owner_id)))

    def cancel(self, session_id: int, scope: str, actor: str) -> list[int] | None:
        """Cancel a session in the scope that is still ahead: every place in it, held or waited for, is cancelled;
        audited. The owners who held one, to be told; None when there is no such session still ahead."""
        session = self._lock_session(session_id, *_sessions_in(scope), still_ahead(self.now))
        if session is None:
            return None
        owners = self.holding_places(session_id)
        self._connection.execute(update(_sessions).where(_sessions.c.id == session_id).values(cancelled_at=self.now))
        self._connection.execute(
            update(_enrollments)
            .where(_enrollments.c.session_id == session_id, _enrollments.c.status.in_(_HOLDS_PLACE))
            .values(status=Status.CANCELLED, since=self.now))
        self.audit(actor, "session_cancelled", f"session:{session_id}")
        return owners

    def ended_between(self, start: datetime, end: datetime) -> list[tuple[SessionInfo, int, str]]:
        """Each owner marked as attended or absent in each session that ended in [start, end) and was not
        cancelled, with the session and the mark."""
        rows = self._connection.execute(
            select(_sessions.c.id, _enrollments.c.owner_id, _enrollments.c.status)
            .join(_enrollments, _enrollments.c.session_id == _sessions.c.id)
            .where(_sessions.c.ends_at >= as_utc(start), _sessions.c.ends_at < as_utc(end),
                   _sessions.c.cancelled_at.is_(None), _enrollments.c.status.in_((Status.ATTENDED, Status.ABSENT)))
            .order_by(_sessions.c.ends_at, _sessions.c.id, _enrollments.c.owner_id)).all()
        sessions = self._infos_of({row.id for row in rows})
        return [(sessions[row.id], row.owner_id, row.status) for row in rows]

    def _infos_of(self, session_ids: set[int]) -> dict[int, SessionInfo]:
        """These sessions as owners see them, by id."""
        if not session_ids:
            return {}
        return {info.id: info for info in self._session_infos(None, _sessions.c.id.in_(session_ids), (),
                                                             upcoming_only=False)}

    def registered_between(self, start: datetime, end: datetime) -> list[tuple[SessionInfo, int]]:
        """Each registered owner of each session starting in [start, end), with the session."""
        rows = self._connection.execute(
            select(_sessions.c.id, _enrollments.c.owner_id)
            .join(_enrollments, _enrollments.c.session_id == _sessions.c.id)
            .where(_sessions.c.starts_at >= as_utc(start), _sessions.c.starts_at < as_utc(end),
                   _enrollments.c.status == Status.REGISTERED)
            .order_by(_sessions.c.starts_at, _sessions.c.id, _enrollments.c.owner_id)).all()
        sessions = self._infos_of({session_id for session_id, _owner_id in rows})
        return [(sessions[session_id], owner_id) for session_id, owner_id in rows]

    # -- officers' files -----------------------------------------------------------------

    def import_programmes(self, programmes: Iterable[ProgrammeRecord], sessions: Iterable[SessionRecord]) -> ImportCounts:
        """Create what is new and update what changed, matched by code; nothing is deleted.

        A session whose capacity grew gives its new seats to the waiting list.
        """
        counts = ImportCounts()
        ids: dict[str, int] = {}
        for record in programmes:
            ids[record.code] = self._upsert(_programmes, (_programmes.c.code == record.code,), _programme_row(record),
                                            counts.programmes)
        for session in sessions:
            programme_id = ids.get(session.programme_code) or self._connection.execute(
                select(_programmes.c.id).where(_programmes.c.code == session.programme_code)).scalar_one()
            matching = (_sessions.c.programme_id == programme_id, _sessions.c.code == session.code)
            before = self._connection.execute(select(*_WHERE_AND_WHEN).where(*matching)).first()
            session_id = self._upsert(_sessions, matching, _session_row(session, programme_id), counts.sessions)
            if before is not None and _where_and_when(before) != _where_and_when(
                    self._connection.execute(select(*_WHERE_AND_WHEN).where(_sessions.c.id == session_id)).one()):
                counts.moved.append(session_id)
            if session.cancelled and (owners := self.cancel(session_id, PROVINCE, FILE_ACTOR)) is not None:
                counts.cancelled.append((session_id, owners))
            locked = self._lock_session(session_id)
            counts.promoted += [(session_id, owner) for owner in self._fill_seats(session_id, locked.capacity)]
        return counts

    def create_programme(self, record: ProgrammeRecord) -> int | None:
        """Add a new programme; None, writing nothing, when its code is taken, even by one being added this moment.

        The import matches by code, so through it a new programme whose code was just taken would change the other.
        """
        return self._insert_new(_programmes, ("code",), _programme_row(record))

    def create_session(self, programme_id: int, record: SessionRecord) -> int | None:
        """Add a new session to a programme; None, writing nothing, when the programme has one with its code."""
        return self._insert_new(_sessions, ("programme_id", "code"), _session_row(record, programme_id))

    def _insert_new(self, table, unique: tuple[str, ...], values: dict[str, object]) -> int | None:  # noqa: ANN001
        """Insert a row whose `unique` columns are new; None when they are not. PostgreSQL makes the insert wait
        for a transaction adding the same, and then does nothing if it committed."""
        inserted = self._connection.execute(
            DIALECTS[self._dialect].insert(table).values(values)
            .on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)).first()
        return int(inserted[0]) if inserted is not None else None

    def _upsert(self, table, where: tuple[ColumnElement[bool], ...], values: dict[str, object],  # noqa: ANN001
                counts: Tally) -> int:
        row = self._connection.execute(select(table).where(*where)).mappings().first()
        if row is None:
            counts.created += 1
            return int(self._connection.execute(table.insert().values(values)).inserted_primary_key[0])
        stored = {name: as_utc(value) if isinstance(value, datetime) else value for name, value in row.items()}
        if all(stored[name] == value for name, value in values.items()):
            counts.unchanged += 1
        else:
            counts.updated += 1
            self._connection.execute(table.update().where(table.c.id == row["id"]).values(values))
        return int(row["id"])

    def summaries(self) -> list[tuple[str, str, int, int, int, datetime | None]]:
        """For officers: each programme's code, name, sessions ahead, seats taken and offered, next start."""
        counts = _TAKEN.subquery()
        ahead = still_ahead(self.now)
        rows = self._connection.execute(
            select(_programmes.c.code, _programmes.c.name,
                   func.count(_sessions.c.id).filter(ahead),
                   func.coalesce(func.sum(counts.c.taken).filter(ahead), 0),
                   func.coalesce(func.sum(_sessions.c.capacity).filter(ahead), 0),
                   func.min(_sessions.c.starts_at).filter(ahead))
            .outerjoin(_sessions, _sessions.c.programme_id == _programmes.c.id)
            .outerjoin(counts, counts.c.session_id == _sessions.c.id)
            .group_by(_programmes.c.id, _programmes.c.code, _programmes.c.name)
            .order_by(_programmes.c.code)).all()
        return [(row[0], row[1], row[2], row[3], row[4], as_utc(row[5]) if row[5] else None) for row in rows]

    # -- officers' dashboard ---------------------------------------------------------------

    def programme_board(self, scope: str, *where: ColumnElement[bool]) -> list[ProgrammeSessions]:
        """Every programme the scope sees (and `where` chooses), by code, each with its sessions in the scope."""
        programmes = self._connection.execute(
            select(_programmes.c.id, _programmes.c.code, _programmes.c.name, _programmes.c.organiser,
                   _programmes.c.kabupaten_codes)
            .where(*_programmes_in(scope), *where).order_by(_programmes.c.code)).all()
        sessions: dict[int, list[SessionSeats]] = {row.id: [] for row in programmes}
        for seats in self._seats(_sessions.c.programme_id.in_(list(sessions)), *_sessions_in(scope)):
            sessions[seats.programme_id].append(seats)
        return [ProgrammeSessions(row.id, row.code, row.name, row.organiser, tuple(row.kabupaten_codes.split()),
                                  tuple(sessions[row.id])) for row in programmes]

    def programme_sessions(self, programme_id: int, scope: str) -> ProgrammeSessions | None:
        """One programme the scope sees, with its sessions in the scope."""
        found = self.programme_board(scope, _programmes.c.id == programme_id)
        return found[0] if found else None

    def programme_record(self, programme_id: int, scope: str) -> ProgrammeRecord | None:
        """A programme the scope sees, as an import file gives it."""
        row = self._connection.execute(
            select(_programmes.c.code, _programmes.c.name, _programmes.c.description, _programmes.c.organiser,
                   _programmes.c.dimensions, _programmes.c.kabupaten_codes, _programmes.c.business_classes,
                   _programmes.c.sectors)
            .where(_programmes.c.id == programme_id, *_programmes_in(scope))).first()
        return ProgrammeRecord(*row[:4], *(tuple(codes.split()) for codes in row[4:])) if row is not None else None

    def officer_session(self, session_id: int, scope: str) -> SessionSeats | None:
        """A session in the scope with its seats."""
        found = self._seats(_sessions.c.id == session_id, *_sessions_in(scope))
        return found[0] if found else None

    def sessions_to_announce(self, scope: str, since: datetime, limit: int) -> list[SessionSeats]:
        """The sessions in the scope whose participants an officer may write to: not cancelled, starting from
        `since` (those just held too), those still ahead first."""
        return self._seats(_sessions.c.cancelled_at.is_(None), _sessions.c.starts_at >= since, *_sessions_in(scope),
                           limit=limit)

    def session_id(self, programme_id: int, code: str) -> int | None:
        """The id of a programme's session with this code, if it has one."""
        return self._connection.scalar(select(_sessions.c.id).where(_sessions.c.programme_id == programme_id,
                                                                    _sessions.c.code == code))

    def _seats(self, *where: ColumnElement[bool], limit: int | None = None) -> list[SessionSeats]:
        ahead = still_ahead(self.now)
        rows = self._connection.execute(
            select(_sessions.c.id, _sessions.c.programme_id, _programmes.c.code, _programmes.c.name, _sessions.c.code,
                   _sessions.c.starts_at, _sessions.c.ends_at, _sessions.c.place, _sessions.c.kabupaten_code,
                   _sessions.c.capacity, _sessions.c.signup_deadline, _sessions.c.cancelled_at,
                   *(_count_of(status) for status in (Status.REGISTERED, Status.WAITLISTED, Status.ATTENDED,
                                                      Status.ABSENT)))
            .join(_programmes, _programmes.c.id == _sessions.c.programme_id)
            .where(*where)
            .order_by(case((ahead, 0), else_=1), case((ahead, _sessions.c.starts_at)), _sessions.c.starts_at.desc(),
                      _sessions.c.id)
            .limit(limit))
        return [SessionSeats(*row[:5], as_utc(row[5]), as_utc(row[6]), *row[7:10], as_utc(row[10]),
                             as_utc(row[11]) if row[11] else None, *row[12:])
                for row in rows]

    def participants(self, session_id: int, scope: str) -> list[Participant]:
        """Who holds, waits for, used or gave up a place in a session in the scope: the registered, the waiting
        list in its order, those who attended, those marked as not come, those who cancelled; with each
        attendee's evaluation once asked.

        Each with their (first) business in the session's kabupaten/kota; lacking one, the province sees their
        first business anywhere, and a kabupaten/kota officer, whose sessions are all held in their own, none.
        """
        theirs = _businesses.alias()

        def first_business(*where: ColumnElement[bool]) -> ColumnElement[int]:
            return select(func.min(theirs.c.id)).where(theirs.c.owner_id == _owners.c.id, *where).scalar_subquery()

        held_there = first_business(theirs.c.kabupaten_code == _sessions.c.kabupaten_code)
        shown = func.coalesce(held_there, first_business()) if scope == PROVINCE else held_there
        status = _enrollments.c.status
        rows = self._connection.execute(
            select(_owners.c.id, _owners.c.name, _owners.c.phone, _businesses.c.name,
                   _businesses.c.registration_number, _businesses.c.kabupaten_code, status, *_EVALUATION_ANSWER)
            .select_from(_enrollments.join(_sessions, _sessions.c.id == _enrollments.c.session_id)
                         .join(_owners, _owners.c.id == _enrollments.c.owner_id)
                         .outerjoin(_businesses, _businesses.c.id == shown)
                         .outerjoin(_evaluations, and_(_evaluations.c.session_id == _enrollments.c.session_id,
                                                       _evaluations.c.owner_id == _enrollments.c.owner_id)))
            .where(_enrollments.c.session_id == session_id, *_sessions_in(scope))
            # The waiting list in the order its seats are given (_fill_seats); everyone else by name.
            .order_by(case(*((status == name, rank) for name, rank in _PARTICIPANT_ORDER.items()), else_=9),
                      case((status == Status.WAITLISTED, _enrollments.c.since)),
                      case((status == Status.WAITLISTED, _enrollments.c.id)), _owners.c.name, _enrollments.c.id))
        waiting = 0
        found = []
        for row in rows:
            waiting += row.status == Status.WAITLISTED
            asked_at, answered_at, *answers = row[7:]
            evaluation = EvaluationAnswer(as_utc(asked_at), as_utc(answered_at) if answered_at else None,
                                          *answers) if asked_at is not None else None
            found.append(Participant(*row[:7], position=waiting if row.status == Status.WAITLISTED else None,
                                     evaluation=evaluation))
        return found

    def mark_attendance(self, session_id: int, owner_ids: Collection[int], attended: bool, scope: str,
                        actor: str) -> Marked:
        """Mark these owners as having come to a session in the scope (`attended`) or not, once it has started, in
        one statement; only places registered or already marked change (never the waiting list, never a cancelled
        place). Audited once, with how many places changed."""
        # Locked as a sign-up locks it: a seat is never taken up again while it is being marked.
        session = self._lock_session(session_id, *_sessions_in(scope))
        if session is None:
            return Marked(Attendance.NO_SESSION)
        if as_utc(session.starts_at) > self.now:
            return Marked(Attendance.NOT_STARTED)
        marked = Status.ATTENDED if attended else Status.ABSENT
        changed = self._connection.execute(
            update(_enrollments)
            .where(_enrollments.c.session_id == session_id, _enrollments.c.owner_id.in_(sorted(set(owner_ids))),
                   _enrollments.c.status.in_(_MARKABLE), _enrollments.c.status != marked)
            .values(status=marked)).rowcount
        if changed:
            self.audit(actor, "attendance_marked" if attended else "absence_marked",
                       f"session:{session_id}:owners:{changed}")
        return Marked(Attendance.CHANGED, changed)

    def evaluation_results(self, scope: str, programme_id: int | None = None) -> dict[int, EvaluationResults]:
        """The evaluations of each session in the scope (of one programme, or of all) that has any, by session id."""
        return self._evaluation_results(scope, *([_sessions.c.programme_id == programme_id]
                                                 if programme_id is not None else []))

    def session_evaluation(self, session_id: int, scope: str) -> EvaluationResults:
        """The evaluations of one session in the scope: nobody asked yet when it has none."""
        return self._evaluation_results(scope, _sessions.c.id == session_id).get(session_id, EvaluationResults())

    def _evaluation_results(self, scope: str, *where: ColumnElement[bool]) -> dict[int, EvaluationResults]:
        """The evaluations of each session in the scope (and `where`) that has any, by session id, in one query."""
        answered = _evaluations.c.answered_at.is_not(None)
        rows = self._connection.execute(
            select(_evaluations.c.session_id, func.count(), func.count().filter(answered),
                   func.count(_evaluations.c.usefulness), func.coalesce(func.sum(_evaluations.c.usefulness), 0),
                   func.count(_evaluations.c.trainer), func.coalesce(func.sum(_evaluations.c.trainer), 0))
            .join(_sessions, _sessions.c.id == _evaluations.c.session_id)
            .where(*_sessions_in(scope), *where)
            .group_by(_evaluations.c.session_id))
        return {row[0]: EvaluationResults(row[1], row[2], Rating(row[3], int(row[4])), Rating(row[5], int(row[6])))
                for row in rows}

    def audit(self, actor: str, action: str, subject: str) -> None:
        """Record who changed a programme, a session or a place in one."""
        self._connection.execute(insert(_audit).values(at=self.now, actor=actor, action=action, subject=subject))

"""Follow-ups: what we ask owners from our side (a session's evaluation the morning after, a survey the Dinas
starts for a segment), and what each owner made of it.

A follow-up is `asked` once its first question is queued; the owner's next message takes it up (`started`) and is
read as the answer. "nanti" puts it off (`later`) to be asked once more; put off again, it lapses. "berhenti"
stops it.

A survey asks about businesses: one follow-up per business the segment chooses, of an owner who has not said
"berhenti" to the Dinas and whom a chat can reach; one message per owner, about their first business: the next
is offered when the first is done with. Starting a survey writes its messages only, as an announcement does; its
follow-ups are written as the worker takes each message to send (`ask_surveyed`), for the businesses the segment
chooses then, so a survey's counts are of the businesses actually asked about.
"""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, Select, exists, func, insert, literal, select, update

from domain.outbox import EVALUATION, NOTHING_TO_ASK, REASSESSMENT, UPDATE
from store.announcements import Segment, business_matches, latest_chats, owner_matches
from store.dialects import DIALECTS
from store.models import AuditEvent, Business, Conversation, Evaluation, FollowUp, OutboxMessage, Owner, Survey, as_utc
from store.officers import PROVINCE, actor_of, within
from store.outbox import BROADCAST, Delivery

_follow_ups = FollowUp.__table__
_evaluations = Evaluation.__table__
_surveys = Survey.__table__
_businesses = Business.__table__
_owners = Owner.__table__
_conversations = Conversation.__table__
_outbox = OutboxMessage.__table__
_audit = AuditEvent.__table__

MOST_ASKS = 2  # the first question, and once more after "nanti"


class Kind(StrEnum):
    EVALUATION = EVALUATION  # of a session, by an owner who attended it
    UPDATE = UPDATE  # a survey: is the business still operating, and its figures now
    REASSESSMENT = REASSESSMENT  # a survey: the business's self-assessment again


SURVEY_KINDS = (Kind.UPDATE, Kind.REASSESSMENT)


class Status(StrEnum):
    ASKED = "asked"
    STARTED = "started"
    LATER = "later"
    STOPPED = "stopped"
    DONE = "done"
    LAPSED = "lapsed"  # put off twice, or left after being asked again


@dataclass(frozen=True, slots=True)
class FollowUpInfo:
    id: int
    owner_id: int
    kind: Kind
    session_id: int | None
    survey_id: int | None
    status: Status
    asks: int
    business_id: int | None = None  # a survey's
    business_name: str | None = None


_INFO = (_follow_ups.c.id, _follow_ups.c.owner_id, _follow_ups.c.kind, _follow_ups.c.session_id,
         _follow_ups.c.survey_id, _follow_ups.c.status, _follow_ups.c.asks, _follow_ups.c.business_id,
         _businesses.c.name.label("business_name"))
_WITH_BUSINESS = _follow_ups.outerjoin(_businesses, _businesses.c.id == _follow_ups.c.business_id)


def _info(row: Any) -> FollowUpInfo:
    return FollowUpInfo(row.id, row.owner_id, Kind(row.kind), row.session_id, row.survey_id, Status(row.status),
                        row.asks, row.business_id, row.business_name)


@dataclass(frozen=True, slots=True)
class SurveyReport:
    """A survey, and what the owners made of its follow-ups so far (one per business asked about)."""

    id: int
    kind: Kind
    author: str
    officer_id: int | None
    scope: str
    segment: Segment
    created_at: datetime
    recipients: int  # owners sent its first question
    counts: dict[Status, int]  # follow-ups by status, every status present

    @property
    def asked(self) -> int:
        """Every follow-up of the survey, whatever became of it."""
        return sum(self.counts.values())

    @property
    def response_rate(self) -> float | None:
        """The share of follow-ups answered whole; None when it asked about none."""
        return self.counts[Status.DONE] / self.asked if self.asked else None


class FollowUps:
    """The follow-up queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    # -- asking --------------------------------------------------------------------------

    def ask_evaluation(self, session_id: int, owner_id: int) -> int | None:
        """Open an owner's evaluation of a session they attended: its follow-up's id; None when it was opened
        before (one evaluation per owner and session)."""
        opened = self._connection.execute(
            DIALECTS[self._dialect].insert(_evaluations)
            .values(session_id=session_id, owner_id=owner_id, asked_at=self.now)
            .on_conflict_do_nothing(index_elements=["session_id", "owner_id"]).returning(_evaluations.c.id)).first()
        if opened is None:
            return None
        return int(self._connection.execute(insert(_follow_ups).values(
            owner_id=owner_id, kind=Kind.EVALUATION, session_id=session_id, status=Status.ASKED, asks=1,
            asked_at=self.now).returning(_follow_ups.c.id)).scalar_one())

    def start_survey(self, kind: Kind, segment: Segment, channels: Collection[str], author: str,
                     officer_id: int | None = None, request_key: str | None = None) -> tuple[int, int]:
        """Start a survey for the segment: one outbox row per owner with a business it chooses that still operates,
        who has not said "berhenti" and has a chat on these channels that did not block the bot, on the chat they
        used last; its follow-ups are written as the worker takes the rows (`ask_surveyed`). Its id, and how many
        owners it was sent to. Set-based statements, whatever the number of owners.

        With a `request_key` (the dashboard's form), the same key starts one survey: a second call returns the
        first, even one a concurrent transaction is writing (PostgreSQL makes this insert wait for it).
        """
        inserted = self._connection.execute(DIALECTS[self._dialect].insert(_surveys).values(
            kind=kind, officer_id=officer_id, author=author, scope=segment.scope, segment=segment.as_json(),
            created_at=self.now, recipients=0, request_key=request_key,
        ).on_conflict_do_nothing(index_elements=["request_key"]).returning(_surveys.c.id)).first()
        if inserted is None:  # only a request key conflicts: the survey of an earlier press stands
            earlier = self._connection.execute(select(_surveys.c.id, _surveys.c.recipients)
                                               .where(_surveys.c.request_key == request_key)).one()
            return int(earlier.id), int(earlier.recipients)
        survey_id = int(inserted[0])
        if officer_id is not None:
            self._connection.execute(insert(_audit).values(at=self.now, actor=actor_of(officer_id),
                                                           action="survey_started", subject=f"survey:{survey_id}"))
        # The follow-ups are written when the worker takes each owner's message (`ask_surveyed`), a claim at a time.
        chats = latest_chats(_surveyed(segment, channels), channels)
        self._connection.execute(insert(_outbox).from_select(
            ("kind", "priority", "survey_id", "owner_id", "channel", "address", "language", "status", "due_at",
             "attempts"),
            select(literal(str(kind)), literal(BROADCAST), literal(survey_id), chats.c.owner_id, chats.c.channel,
                   chats.c.address, chats.c.language, literal(str(Delivery.PENDING)), literal(self.now), literal(0))
            .where(chats.c.latest == 1).order_by(chats.c.owner_id)))
        # Counted where they were written: an INSERT ... SELECT's row count is not told on every driver (psycopg).
        sent = select(func.count()).where(_outbox.c.survey_id == survey_id).scalar_subquery()
        recipients = self._connection.execute(update(_surveys).where(_surveys.c.id == survey_id)
                                              .values(recipients=sent).returning(_surveys.c.recipients)).scalar_one()
        return survey_id, int(recipients)

    def ask_surveyed(self, outbox_ids: Collection[int]) -> set[int]:
        """As the worker takes these outbox rows to send: a follow-up for each business a survey's message asks its
        owner about, those its segment chooses now that still operate (written once, however often a row is taken);
        the rows of those it has nothing left to ask about, which are cancelled."""
        asking: dict[int, set[int]] = {}
        for survey_id, owner_id in self._connection.execute(select(_outbox.c.survey_id, _outbox.c.owner_id).where(
                _outbox.c.id.in_(outbox_ids), _outbox.c.survey_id.is_not(None), _outbox.c.owner_id.is_not(None))):
            asking.setdefault(survey_id, set()).add(owner_id)
        for survey_id, owners in asking.items():
            kind, segment = self._connection.execute(select(_surveys.c.kind, _surveys.c.segment)
                                                     .where(_surveys.c.id == survey_id)).one()
            self._connection.execute(DIALECTS[self._dialect].insert(_follow_ups).from_select(
                ("owner_id", "kind", "survey_id", "business_id", "status", "asks", "asked_at"),
                _askable(Segment.from_json(segment), literal(kind), literal(survey_id), _businesses.c.id,
                         literal(str(Status.ASKED)), literal(1), literal(self.now))
                .where(_businesses.c.owner_id.in_(owners)).order_by(_businesses.c.owner_id, _businesses.c.id),
            ).on_conflict_do_nothing(index_elements=["survey_id", "business_id"]))
        asked = exists().where(_follow_ups.c.survey_id == _outbox.c.survey_id,
                               _follow_ups.c.owner_id == _outbox.c.owner_id)
        nothing = set(self._connection.scalars(select(_outbox.c.id).where(
            _outbox.c.id.in_(outbox_ids), _outbox.c.survey_id.is_not(None), ~asked)))
        if nothing:
            self._connection.execute(update(_outbox).where(_outbox.c.id.in_(nothing))
                                     .values(status=Delivery.CANCELLED, error=NOTHING_TO_ASK, claimed_at=None))
        return nothing

    def survey_reach(self, segment: Segment, channels: Collection[str]) -> tuple[int, int]:
        """How many owners a survey for the segment would ask, about how many businesses; nothing is written."""
        chosen = _surveyed(segment, channels).subquery()
        owners, businesses = self._connection.execute(
            select(func.count(func.distinct(chosen.c.owner_id)), func.count()).select_from(chosen)).one()
        return int(owners), int(businesses)

    def survey_report(self, survey_id: int, scope: str = PROVINCE) -> SurveyReport | None:
        """A survey with its follow-ups counted by status; None unless it is within `scope`."""
        row = self._connection.execute(select(_surveys).where(
            _surveys.c.id == survey_id, *within(_surveys.c.scope, scope))).first()
        if row is None:
            return None
        counted = Counter({Status(status): count for status, count in self._connection.execute(
            select(_follow_ups.c.status, func.count()).where(_follow_ups.c.survey_id == survey_id)
            .group_by(_follow_ups.c.status))})
        return _report(row, {status: counted[status] for status in Status})

    def surveys(self, scope: str = PROVINCE, limit: int = 20, offset: int = 0) -> list[SurveyReport]:
        """The latest surveys within `scope`, newest first (skipping the `offset` latest), each counted as
        `survey_report` counts it, in two queries."""
        rows = self._connection.execute(select(_surveys).where(*within(_surveys.c.scope, scope))
                                        .order_by(_surveys.c.id.desc()).limit(limit).offset(offset)).all()
        counted: Counter[tuple[int, Status]] = Counter({(survey_id, Status(status)): count for survey_id, status, count
                                                        in self._connection.execute(
            select(_follow_ups.c.survey_id, _follow_ups.c.status, func.count())
            .where(_follow_ups.c.survey_id.in_([row.id for row in rows]))
            .group_by(_follow_ups.c.survey_id, _follow_ups.c.status))})
        return [_report(row, {status: counted[row.id, status] for status in Status}) for row in rows]

    # -- what the owner makes of it ---------------------------------------------------------

    def waiting(self, owner_id: int) -> FollowUpInfo | None:
        """The owner's follow-up asked last and not yet taken up: what their next message answers (of several asked
        at once, the first)."""
        row = self._connection.execute(
            select(*_INFO).select_from(_WITH_BUSINESS)
            .where(_follow_ups.c.owner_id == owner_id, _follow_ups.c.status == Status.ASKED)
            .order_by(_follow_ups.c.asked_at.desc(), _follow_ups.c.id).limit(1)).first()
        return _info(row) if row is not None else None

    def take_up(self, follow_up_id: int) -> None:
        self._set(follow_up_id, Status.STARTED)

    def put_off(self, follow_up_id: int, ask_again_at: datetime) -> bool:
        """"nanti": asked once more at `ask_again_at`, or, asked twice already, lapsed; whether it will be."""
        asks = self._connection.scalar(select(_follow_ups.c.asks).where(_follow_ups.c.id == follow_up_id))
        if asks is None or asks >= MOST_ASKS:
            self._set(follow_up_id, Status.LAPSED)
            return False
        self._connection.execute(update(_follow_ups).where(_follow_ups.c.id == follow_up_id)
                                 .values(status=Status.LATER, ask_again_at=as_utc(ask_again_at)))
        return True

    def stop(self, follow_up_id: int) -> None:
        """"berhenti": this follow-up, and the rest of its survey still waiting for the owner (their other
        businesses), are not asked again."""
        survey_id, owner_id = self._connection.execute(select(_follow_ups.c.survey_id, _follow_ups.c.owner_id).where(
            _follow_ups.c.id == follow_up_id)).one()
        self._set(follow_up_id, Status.STOPPED)
        if survey_id is not None:
            self._connection.execute(update(_follow_ups).where(
                _follow_ups.c.survey_id == survey_id, _follow_ups.c.owner_id == owner_id,
                _follow_ups.c.status.in_((Status.ASKED, Status.LATER))).values(status=Status.STOPPED,
                                                                              finished_at=self.now))

    def finish(self, follow_up_id: int) -> None:
        self._set(follow_up_id, Status.DONE)

    def due_again(self) -> list[FollowUpInfo]:
        """The follow-ups put off until now, to be asked once more; each is asked again as it is returned."""
        rows = self._connection.execute(
            select(*_INFO).select_from(_WITH_BUSINESS)
            .where(_follow_ups.c.status == Status.LATER, _follow_ups.c.ask_again_at <= self.now)
            .order_by(_follow_ups.c.ask_again_at, _follow_ups.c.id)).all()
        if rows:
            self._connection.execute(
                update(_follow_ups).where(_follow_ups.c.id.in_([row.id for row in rows]))
                .values(status=Status.ASKED, asks=_follow_ups.c.asks + 1, asked_at=self.now, ask_again_at=None))
        return [_info(row) for row in rows]

    def evaluate(self, session_id: int, owner_id: int, **answers: int | str | None) -> None:
        """Keep answers to an evaluation as they come: one left unanswered stays empty."""
        self._connection.execute(
            update(_evaluations).where(_evaluations.c.session_id == session_id, _evaluations.c.owner_id == owner_id)
            .values(**answers, answered_at=self.now))

    def _set(self, follow_up_id: int, status: Status) -> None:
        finished = {"finished_at": self.now} if status in (Status.DONE, Status.STOPPED, Status.LAPSED) else {}
        self._connection.execute(update(_follow_ups).where(_follow_ups.c.id == follow_up_id)
                                 .values(status=status, **finished))


def _surveyed(segment: Segment, channels: Collection[str], *columns: Any) -> Select[Any]:
    """The businesses a survey for the segment asks about, by owner (and `columns`): those `_askable`, of owners
    with a chat on these channels that did not block the bot."""
    reachable = exists().where(_conversations.c.owner_id == _owners.c.id, _conversations.c.channel.in_(channels),
                               _conversations.c.blocked_at.is_(None))
    return _askable(segment, *columns).where(reachable)


def _askable(segment: Segment, *columns: Any) -> Select[Any]:
    """The businesses the segment chooses that still operate, by owner (and `columns`), of owners who have not said
    "berhenti"."""
    return (select(_businesses.c.owner_id, *columns)
            .select_from(_businesses.join(_owners, _owners.c.id == _businesses.c.owner_id))
            .where(*business_matches(segment), owner_matches(segment), _businesses.c.closed_at.is_(None),
                   _owners.c.announcements_stopped_at.is_(None)))


def _report(row: Row[Any], counts: dict[Status, int]) -> SurveyReport:
    return SurveyReport(id=row.id, kind=Kind(row.kind), author=row.author, officer_id=row.officer_id, scope=row.scope,
                        segment=Segment.from_json(row.segment), created_at=as_utc(row.created_at),
                        recipients=row.recipients, counts=counts)

"""Follow-ups: what we ask owners from our side (a session's evaluation the morning after, a survey the Dinas
starts for a segment: its doors come next), and what each owner made of it.

A follow-up is `asked` once its first question is queued; the owner's next message takes it up (`started`) and is
read as the answer. "nanti" puts it off (`later`) to be asked once more; put off again, it lapses. "berhenti"
stops it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update

from domain.outbox import EVALUATION
from store.dialects import DIALECTS
from store.models import Evaluation, FollowUp, as_utc

_follow_ups = FollowUp.__table__
_evaluations = Evaluation.__table__

MOST_ASKS = 2  # the first question, and once more after "nanti"


class Kind(StrEnum):
    EVALUATION = EVALUATION  # of a session, by an owner who attended it


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


_INFO = (_follow_ups.c.id, _follow_ups.c.owner_id, _follow_ups.c.kind, _follow_ups.c.session_id,
         _follow_ups.c.survey_id, _follow_ups.c.status, _follow_ups.c.asks)


def _info(row: Any) -> FollowUpInfo:
    return FollowUpInfo(row.id, row.owner_id, Kind(row.kind), row.session_id, row.survey_id, Status(row.status),
                        row.asks)


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

    # -- what the owner makes of it ---------------------------------------------------------

    def waiting(self, owner_id: int) -> FollowUpInfo | None:
        """The owner's oldest follow-up asked and not yet taken up."""
        row = self._connection.execute(
            select(*_INFO).where(_follow_ups.c.owner_id == owner_id, _follow_ups.c.status == Status.ASKED)
            .order_by(_follow_ups.c.asked_at, _follow_ups.c.id).limit(1)).first()
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
        self._set(follow_up_id, Status.STOPPED)

    def finish(self, follow_up_id: int) -> None:
        self._set(follow_up_id, Status.DONE)

    def due_again(self) -> list[FollowUpInfo]:
        """The follow-ups put off until now, to be asked once more; each is asked again as it is returned."""
        rows = self._connection.execute(
            select(*_INFO).where(_follow_ups.c.status == Status.LATER, _follow_ups.c.ask_again_at <= self.now)
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

"""Self-assessments as they are kept: every one, so a retake can be compared with the last."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from store.models import DIMENSION_COLUMNS, Assessment

_assessments = Assessment.__table__


@dataclass(frozen=True, slots=True)
class Result:
    score: float
    level: str
    taken_at: datetime


class Assessments:
    """The assessment queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def save(self, owner_id: int, business_id: int, points: dict[str, int], score: float, level: str,
             dimensions: Mapping[str, float]) -> None:
        """Keep an assessment as the business's latest, with its score per dimension (DIMENSION_COLUMNS) and the
        level, score and moment of the one it replaces (None for the business's first)."""
        replaced = self._connection.execute(
            update(_assessments).where(_assessments.c.business_id == business_id, _assessments.c.latest.is_(True))
            .values(latest=False).returning(_assessments.c.level, _assessments.c.score, _assessments.c.taken_at)
        ).first()
        previous_level, previous_score, previous_taken_at = replaced if replaced is not None else (None, None, None)
        self._connection.execute(insert(_assessments).values(
            owner_id=owner_id, business_id=business_id, points=points, score=score, level=level, taken_at=self.now,
            latest=True, previous_level=previous_level, previous_score=previous_score,
            previous_taken_at=previous_taken_at,
            **{dimension: dimensions.get(dimension) for dimension in DIMENSION_COLUMNS}))

    def latest(self, business_id: int) -> Result | None:
        """The business's most recent assessment, if it has one."""
        row = self._connection.execute(
            select(_assessments.c.score, _assessments.c.level, _assessments.c.taken_at)
            .where(_assessments.c.business_id == business_id)
            .order_by(_assessments.c.taken_at.desc(), _assessments.c.id.desc()).limit(1)).first()
        return Result(*row) if row is not None else None

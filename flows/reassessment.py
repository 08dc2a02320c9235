"""A survey's "penilaian ulang": the self-assessment of one business again, in the self-assessment's own
questions, kept and told as the self-assessment keeps and tells it (against the last one)."""

from domain.msgid import N_
from flows.assessment import NIB, SECTOR
from flows.businesses import BUSINESS_ID
from flows.engine import Answers, Turn
from flows.follow_up import FollowUpFlow
from flows.menu import assessment
from flows.messages import Reply
from flows.profile import registered_owner
from flows.scoring import ITEM_BY_KEY
from store.follow_ups import FollowUpInfo, Kind


class Reassessment(FollowUpFlow):
    """The self-assessment's items about the business the survey asks about; no business to pick."""

    name = "reassessment"
    kind = Kind.REASSESSMENT
    title = N_("Self-assessment again (penilaian ulang)")
    intro = N_("The Dinas Koperasi dan UKM asks you to take the self-assessment of %(business)s again, to see how "
               "the business has moved since: a few short questions, and at the end your new score and level.")
    first_choices = tuple(label for label, _points in ITEM_BY_KEY[NIB].answers)
    questions = tuple(question for question in assessment.questions if question.key != BUSINESS_ID)

    def known(self, turn: Turn, follow_up: FollowUpInfo) -> Answers:
        """The business's sector, which decides which items apply to it (food permits) and offer "Tidak berlaku"."""
        owner = registered_owner(turn)
        sector = next((business.sector for business in owner.businesses if business.id == follow_up.business_id),
                      None) if owner is not None else None
        return {SECTOR: sector}

    def complete(self, turn: Turn) -> list[Reply]:
        return self.finish(turn, assessment.conclude(turn, turn.answers, turn.state.owner_id))

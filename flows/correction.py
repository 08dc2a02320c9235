"""Correcting a saved registration ("ubah data"): the owner's right to fix their data (UU PDP)."""

from typing import Any

from flows.engine import Answers, Question, QuestionFlow, Turn
from flows.i18n import N_
from flows.messages import Reply
from flows.parsing import parse_choice
from flows.registration import NOTHING_REGISTERED, Registration, answers_from, business_details, owner_details
from store.models import Business, Owner

BUSINESS_COUNT = "_business_count"


def _owner(turn: Turn) -> Owner | None:
    return turn.registry.owner_profile(turn.state.owner_id) if turn.state.owner_id is not None else None


def _businesses(turn: Turn) -> list[Business]:
    owner = _owner(turn)
    return list(owner.businesses) if owner else []


def business_labels(turn: Turn) -> list[str]:
    return [f"{business.name} ({business.registration_number})" for business in _businesses(turn)]


def parse_business(text: str, turn: Turn) -> int:
    return _businesses(turn)[parse_choice(text, business_labels(turn))].id


def _has_several_businesses(answers: Answers) -> bool:
    return answers.get(BUSINESS_COUNT, 0) > 1


class Correction(QuestionFlow):
    """Show an owner's saved registration as answers, let them change any, and save the changes."""

    name = "correction"
    review = True
    cancel_prompt = N_("Stop correcting? Your saved data stays as it was.")
    cancelled_message = N_("Nothing was changed.")
    questions = (
        Question("business_id", N_("Which business do you want to correct?"), parse_business,
                 N_("Reply with the number of the business whose data you want to correct."),
                 choices=business_labels, applies=_has_several_businesses, counted=False),
        *(question for question in Registration.questions if question.key != "consent"),
    )
    review_footer = Registration.review_footer

    def start(self, turn: Turn) -> list[Reply]:
        """Begin from the saved data: of the only business, or of the one the owner picks."""
        owner = _owner(turn)
        if owner is None or not owner.businesses:
            self.leave(turn)
            return [Reply(turn.text(NOTHING_REGISTERED))]
        answers = turn.answers_of(self.name)
        if not answers:
            answers[BUSINESS_COUNT] = len(owner.businesses)
            if len(owner.businesses) == 1:
                answers.update(answers_from(owner, owner.businesses[0]), business_id=owner.businesses[0].id)
        return super().start(turn)

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Picking a business fills in everything saved about it."""
        owner = _owner(turn)
        if question.key == "business_id" and owner is not None:
            business = next(business for business in owner.businesses if business.id == value)
            turn.answers.update(answers_from(owner, business))
        return None

    def review_heading(self, turn: Turn) -> str:
        return turn.text(N_("Your saved data. Change what is wrong with \"ubah\" and its number, then reply \"ya\" to save."))

    def complete(self, turn: Turn) -> list[Reply]:
        """Save the corrected owner and business."""
        answers, owner_id = turn.answers, turn.state.owner_id
        self.leave(turn)
        if owner_id is None:  # erased from another chat meanwhile
            return [Reply(turn.text(NOTHING_REGISTERED))]
        turn.registry.correct_registration(owner_id, answers["business_id"], owner_details(answers, turn),
                                           business_details(answers))
        return [Reply(turn.text(N_("Your data has been corrected. Thank you!")))]

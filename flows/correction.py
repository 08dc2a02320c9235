"""Correcting a saved registration ("ubah data"): the owner's right to fix their data (UU PDP)."""

from typing import Any

from flows.engine import Answers, Question, QuestionFlow, Turn
from flows.i18n import N_
from flows.messages import Reply
from flows.parsing import parse_choice
from flows.profile import registered_owner
from flows.registration import NOTHING_REGISTERED, Registration, answers_from, business_details, owner_details

BUSINESSES = "_businesses"  # [business id, label] of each of the owner's businesses, when there are several


def business_labels(turn: Turn) -> list[str]:
    return [label for _id, label in turn.answers[BUSINESSES]]


def parse_business(text: str, turn: Turn) -> int:
    business_id: int = turn.answers[BUSINESSES][parse_choice(text, business_labels(turn))][0]
    return business_id


def _has_several_businesses(answers: Answers) -> bool:
    return len(answers.get(BUSINESSES, ())) > 1


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
        owner = registered_owner(turn)
        if owner is None or not owner.businesses:
            self.leave(turn)
            return [Reply(turn.text(NOTHING_REGISTERED))]
        answers = turn.answers_of(self.name)
        if not answers:
            if len(owner.businesses) == 1:
                answers.update(answers_from(owner, owner.businesses[0]), business_id=owner.businesses[0].id)
            else:
                answers[BUSINESSES] = [[business.id, f"{business.name} ({business.registration_number})"]
                                       for business in owner.businesses]
        return super().start(turn)

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Picking a business replaces every answer with what is saved about that business."""
        owner = registered_owner(turn)
        if question.key == "business_id" and owner is not None:
            business = next(business for business in owner.businesses if business.id == value)
            answers = turn.answers
            kept = {BUSINESSES: answers[BUSINESSES], "business_id": value}
            answers.clear()
            answers.update(kept, **answers_from(owner, business))
        return None

    def review_heading(self, turn: Turn) -> str:
        return turn.text(N_("Your data as it will be saved. Change what is wrong with \"ubah\" and its number, "
                            "then reply \"ya\" to save."))

    def complete(self, turn: Turn) -> list[Reply]:
        """Save the corrected owner and business."""
        answers, owner_id = turn.answers, turn.state.owner_id
        self.leave(turn)
        if owner_id is None:  # start() lets only registered owners in; this keeps the type checker honest
            return [Reply(turn.text(NOTHING_REGISTERED))]
        changed = turn.registry.correct_registration(owner_id, answers["business_id"], owner_details(answers, turn),
                                                     business_details(answers))
        if not changed:
            return [Reply(turn.text(self.cancelled_message))]
        return [Reply(turn.text(N_("Your data has been corrected. Thank you!")))]

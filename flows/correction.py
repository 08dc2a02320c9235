"""Correcting a saved registration ("ubah data"): the owner's right to fix their data (UU PDP)."""

from typing import Any

from domain.msgid import N_
from flows.businesses import BUSINESS_ID, BUSINESSES, offer_businesses, which_business
from flows.engine import Question, QuestionFlow, Turn
from flows.messages import Reply
from flows.profile import registered_owner
from flows.registration import NOTHING_REGISTERED, Registration, answers_from, business_details, owner_details


class Correction(QuestionFlow):
    """Show an owner's saved registration as answers, let them change any, and save the changes."""

    name = "correction"
    review = True
    cancel_prompt = N_("Stop correcting? Your saved data stays as it was.")
    cancelled_message = N_("Nothing was changed.")
    questions = (
        which_business(N_("Which business do you want to correct?"),
                       N_("Reply with the number of the business whose data you want to correct.")),
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
            offer_businesses(answers, owner)
            if BUSINESS_ID in answers:
                answers.update(answers_from(owner, owner.businesses[0]))
        return super().start(turn)

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Picking a business replaces every answer with what is saved about that business."""
        owner = registered_owner(turn)
        if question.key == BUSINESS_ID and owner is not None:
            business = next(business for business in owner.businesses if business.id == value)
            answers = turn.answers
            kept = {BUSINESSES: answers[BUSINESSES], BUSINESS_ID: value}
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

"""Asking an owner with several businesses which one they mean; owners with one are not asked."""

from flows.engine import Answers, Question, Turn
from flows.parsing import parse_choice
from store.models import Owner

BUSINESSES = "_businesses"  # [business id, label] of each of the owner's businesses, when there are several
BUSINESS_ID = "business_id"


def business_labels(turn: Turn) -> list[str]:
    return [label for _id, label in turn.answers[BUSINESSES]]


def parse_business(text: str, turn: Turn) -> int:
    business_id: int = turn.answers[BUSINESSES][parse_choice(text, business_labels(turn))][0]
    return business_id


def has_several_businesses(answers: Answers) -> bool:
    return len(answers.get(BUSINESSES, ())) > 1


def which_business(prompt: str, help: str) -> Question:
    """The question that picks one business, asked only when the owner has several."""
    return Question(BUSINESS_ID, prompt, parse_business, help, choices=business_labels,
                    applies=has_several_businesses, counted=False)


def offer_businesses(answers: Answers, owner: Owner) -> None:
    """Answer the question for an owner with one business; list the choices for one with several."""
    if len(owner.businesses) == 1:
        answers[BUSINESS_ID] = owner.businesses[0].id
    else:
        answers[BUSINESSES] = [[business.id, f"{business.name} ({business.registration_number})"]
                               for business in owner.businesses]

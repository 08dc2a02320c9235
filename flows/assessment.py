"""The self-assessment ("penilaian mandiri"): 16 questions, then a score, a level and what to do next."""

from datetime import date
from functools import partial
from typing import Any

from domain.assessment import Dimension, Level, level
from domain.invalid import Invalid
from domain.msgid import N_
from domain.sectors import FOOD_SECTORS
from domain.wib import in_wib
from flows.businesses import BUSINESS_ID, offer_businesses, which_business
from flows.engine import Answers, Question, QuestionFlow, Turn
from flows.messages import Reply
from flows.parsing import parse_choice
from flows.profile import registered_owner
from flows.registration import NOTHING_REGISTERED
from flows.scoring import ITEMS, Item, dimension_scores, score, shown_score, weakest
from store.assessments import Result
from store.models import Owner
from store.training import Listing

SELLS_FOOD = "_sells_food"
HALAL_MANDATORY = date(2026, 10, 17)  # for micro and small food and drink businesses (PP 42/2024)
MOST_ADVICE = 3  # next steps shown at once: a list an owner can act on, not a report
MOST_RECOMMENDED = 3


def _labels(item: Item, turn: Turn) -> list[str]:
    return [turn.text(label) for label, _points in item.answers]


def _parse_answer(item: Item, text: str, turn: Turn) -> int:
    """The index of the answer chosen by its number or its words."""
    try:
        return parse_choice(text, _labels(item, turn))
    except Invalid:
        raise Invalid(N_("Please reply with the number of the answer that fits best, from 1 to %(count)s."),
                      count=len(item.answers)) from None


def _show_answer(item: Item, index: int, turn: Turn) -> str:
    return turn.text(item.answers[index][0])


def _applies(item: Item, answers: Answers) -> bool:
    return not item.food_only or bool(answers.get(SELLS_FOOD))


def _question(item: Item) -> Question:
    return Question(item.key, item.question, partial(_parse_answer, item),
                    N_("Pick the answer closest to how your business is today; there are no wrong answers."),
                    choices=partial(_labels, item), applies=partial(_applies, item),
                    show=lambda index, turn: _show_answer(item, index, turn), title=item.question)


def _note_food(answers: Answers, owner: Owner) -> None:
    """Once the business is known, so is whether it sells food."""
    business = next((business for business in owner.businesses if business.id == answers.get(BUSINESS_ID)), None)
    if business is not None:
        answers[SELLS_FOOD] = business.sector in FOOD_SECTORS


def points_of(answers: Answers) -> dict[str, int]:
    """The points each answered item earned."""
    return {item.key: item.answers[answers[item.key]][1] for item in ITEMS if item.key in answers}


class Assessment(QuestionFlow):
    """Ask the 16 items about one business, then score it, compare with last time and advise."""

    name = "assessment"
    cancel_prompt = N_("Stop the self-assessment and delete its answers so far?")
    cancelled_message = N_("The self-assessment was stopped; nothing was saved.")
    questions = (
        which_business(N_("Which business do you want to assess?"),
                       N_("Reply with the number of the business this self-assessment is about.")),
        *(_question(item) for item in ITEMS),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Begin, or pick up where the owner stopped; only a registered business can be assessed."""
        owner = registered_owner(turn)
        if owner is None or not owner.businesses:
            self.leave(turn)
            return [Reply(turn.text(NOTHING_REGISTERED) + " " + turn.text(N_(
                "Register your business first (type \"daftar\"), then you can assess it.")))]
        answers = turn.answers_of(self.name)
        intro = []
        if not answers:
            offer_businesses(answers, owner)
            _note_food(answers, owner)
            intro = [Reply(turn.text(N_(
                "The self-assessment: %(count)s short questions about your business's permits, money, market, "
                "online sales, products and people. At the end you get a score, a level and concrete next steps. "
                "You can stop at any time and carry on later."), count=self.progress(turn)[1]))]
        return [*intro, *super().start(turn)]

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Once the business is known, so is whether the food permit question applies."""
        owner = registered_owner(turn)
        if question.key == BUSINESS_ID and owner is not None:
            _note_food(turn.answers, owner)
        return None

    def complete(self, turn: Turn) -> list[Reply]:
        """Keep the assessment, then tell the score and level, the change, the weak areas and what to do."""
        answers, owner_id = turn.answers, turn.state.owner_id
        self.leave(turn)
        owner = registered_owner(turn)
        business = next((b for b in owner.businesses if b.id == answers.get(BUSINESS_ID)), None) if owner else None
        if owner_id is None or business is None:  # the business was deleted meanwhile
            return [Reply(turn.text(NOTHING_REGISTERED))]
        points = points_of(answers)
        value = score(points)
        reached = level(value)
        previous = turn.registry.assessments.latest(business.id)
        turn.registry.assessments.save(owner_id, business.id, points, value, reached.value, dimension_scores(points))
        weak = weakest(points)
        replies = [Reply("\n".join(self._result_lines(turn, business.name, value, reached, previous)))]
        if weak:
            replies.append(Reply("\n".join(self._advice_lines(turn, points, weak))))
        if answers.get(SELLS_FOOD) and points.get("halal", 0) < 3:
            replies.append(Reply(self._halal_notice(turn)))
        if weak:
            recommended = turn.registry.training.recommended([dimension.value for dimension in weak],
                                                             turn.registry.audience(owner_id), MOST_RECOMMENDED)
            replies.append(Reply("\n".join(self._recommended_lines(turn, recommended))))
        return replies

    def _result_lines(self, turn: Turn, business: str, value: float, reached: Level, previous: Result | None) -> list[str]:
        t = turn.text
        lines = [t(N_("Self-assessment of %(business)s: a score of %(score)s out of 100, level %(level)s."),
                   business=business, score=shown_score(value), level=t(reached.label))]
        if previous is not None:
            before, now = shown_score(previous.score), shown_score(value)
            since = t.date(in_wib(previous.taken_at).date())
            if now > before:
                lines.append(t(N_("Your score went up from %(before)s to %(now)s since %(date)s. Well done!"),
                               before=before, now=now, date=since))
            elif now < before:
                lines.append(t(N_("Your score went down from %(before)s to %(now)s since %(date)s."),
                               before=before, now=now, date=since))
            else:
                lines.append(t(N_("Your score is the same as on %(date)s: %(now)s."), now=now, date=since))
        return lines

    def _advice_lines(self, turn: Turn, points: dict[str, int], weak: list[Dimension]) -> list[str]:
        """The weakest areas in plain words, and a concrete step for each item short of full points there."""
        t = turn.text
        steps = [item for dimension in weak for item in ITEMS
                 if item.dimension is dimension and points.get(item.key, 3) < 3]
        return [t(N_("What needs the most attention: %(areas)s. Next steps:"),
                  areas="; ".join(t(dimension.label) for dimension in weak)),
                *(f"{number}. {t(item.advice)}" for number, item in enumerate(steps[:MOST_ADVICE], start=1))]

    def _halal_notice(self, turn: Turn) -> str:
        when = turn.text.date(HALAL_MANDATORY)
        if turn.today < HALAL_MANDATORY:
            return turn.text(N_("Important: from %(date)s a halal certificate is mandatory for micro and small food "
                                "and drink businesses. Register now; it is free for micro businesses (SEHATI)."),
                             date=when)
        return turn.text(N_("Important: since %(date)s a halal certificate has been mandatory for micro and small "
                            "food and drink businesses. Please register soon; it is free for micro businesses "
                            "(SEHATI)."), date=when)

    def _recommended_lines(self, turn: Turn, recommended: list[Listing]) -> list[str]:
        t = turn.text
        if not recommended:
            return [t(N_("There is no training open to you on these topics right now. Type \"program\" to see "
                         "every training open to you."))]
        return [t(N_("Training that helps with these:")),
                *(f"- {listing.name} ({t.date(in_wib(listing.next_start).date())})" for listing in recommended),
                t(N_("Type \"program\" to read about them and sign up."))]

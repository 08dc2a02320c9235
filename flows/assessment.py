"""The self-assessment ("penilaian mandiri"): 16 questions, then a score, a level and what to do next."""

from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any

from domain.assessment import Dimension, Level, level
from domain.invalid import Invalid
from domain.msgid import N_
from domain.sectors import FOOD_SECTORS
from domain.text import normalise_name
from domain.wib import in_wib
from flows.businesses import BUSINESS_ID, offer_businesses, which_business
from flows.engine import Answers, Question, QuestionFlow, Suggest, Turn
from flows.messages import Reply
from flows.parsing import parse_choice
from flows.profile import registered_owner
from flows.registration import NOTHING_REGISTERED
from flows.scoring import ITEM_BY_KEY, ITEMS, Item, dimension_scores, named_answers, score, shown_score, weakest
from store.assessments import Result
from store.models import Business, Owner
from store.training import Audience, Listing, SessionInfo

SECTOR = "_sector"  # the assessed business's, which decides what applies to it
NOTED = "_noted"  # the business whose sector and registered answers are noted, so a second pick changes nothing
REGISTERED_NIB = "_registered_nib"  # the NIB the business registered with, "" for none
NIB = "nib"
NOT_APPLICABLE = "n/a"  # an item the owner said does not apply to the business: left out of the score
NOT_APPLICABLE_LABEL = N_("Not applicable")
HALAL_MANDATORY = date(2026, 10, 17)  # for micro and small food and drink businesses (PP 42/2024)
MOST_ADVICE = 3  # next steps shown at once: a list an owner can act on, not a report
MOST_RECOMMENDED = 3


def offers_not_applicable(item: Item, sector: str | None) -> bool:
    """Whether "Tidak berlaku" is one of the item's choices for a business of this sector."""
    return sector in item.may_not_apply


def _labels(item: Item, turn: Turn) -> list[str]:
    labels = [turn.text(label) for label, _points in item.answers]
    if offers_not_applicable(item, turn.answers.get(SECTOR)):
        labels.append(turn.text(NOT_APPLICABLE_LABEL))
    return labels


def read_answer(item: Item, text: str, labels: Sequence[str]) -> int | str:
    """The answer's index, or NOT_APPLICABLE, from its label, the owner's own words for it, or a close spelling.

    `labels` are the choices as shown: the answers', then "Tidak berlaku" where the item offers it. Words naming
    several answers are asked back (Suggest), unless the answers add up ("QRIS too"), when the highest is meant.
    """
    offered = len(labels) > len(item.answers)
    query = normalise_name(text)
    exact = [index for index, label in enumerate(labels) if normalise_name(label) == query]
    if exact:
        return _chosen(item, exact[0])
    named = named_answers(item, text)
    if not offered and len(item.answers) in named:
        named.discard(len(item.answers))
        if not named:
            raise Invalid(N_("This question fits every business like yours; please pick the answer closest to it."))
    if len(named) == 1:
        return _chosen(item, named.pop())
    if named and item.adds_up and len(item.answers) not in named:
        return max(named)
    if named:
        raise Suggest(N_("Which one do you mean? Reply with its number."), sorted(named))
    try:
        return _chosen(item, parse_choice(text, labels))
    except Invalid:
        raise Invalid(N_("Please reply with the number of the answer that fits best, from 1 to %(count)s."),
                      count=len(labels)) from None


def _chosen(item: Item, index: int) -> int | str:
    return NOT_APPLICABLE if index == len(item.answers) else index


def _parse_answer(item: Item, text: str, turn: Turn) -> int | str:
    return read_answer(item, text, _labels(item, turn))


def _show_answer(item: Item, value: int | str, turn: Turn) -> str:
    if value == NOT_APPLICABLE:
        return turn.text(NOT_APPLICABLE_LABEL)
    return turn.text(item.answers[int(value)][0])


def _applies(item: Item, answers: Answers) -> bool:
    return not item.food_only or answers.get(SECTOR) in FOOD_SECTORS


def _prompt(item: Item, turn: Turn) -> str:
    """The item's question; for the NIB, with what the registration says about it."""
    if item.key != NIB or REGISTERED_NIB not in turn.answers:
        return item.question
    if turn.answers[REGISTERED_NIB]:
        return N_("Does the business have an NIB from OSS?\nAccording to its registration, this business has NIB "
                  "%(nib)s.")
    return N_("Does the business have an NIB from OSS?\nAccording to its registration, this business has no NIB yet.")


def _prompt_params(turn: Turn) -> dict[str, object]:
    return {"nib": turn.answers.get(REGISTERED_NIB, "")}


def _question(item: Item) -> Question:
    return Question(item.key, partial(_prompt, item), partial(_parse_answer, item),
                    N_("Pick the answer closest to how your business is today; there are no wrong answers."),
                    choices=partial(_labels, item), applies=partial(_applies, item),
                    show=partial(_show_answer, item), title=item.question,
                    prompt_params=_prompt_params if item.key == NIB else None)


def _business(answers: Answers, owner: Owner) -> Business | None:
    return next((business for business in owner.businesses if business.id == answers.get(BUSINESS_ID)), None)


def _note_business(answers: Answers, owner: Owner) -> bool:
    """Note the picked business's sector and its registered NIB, which becomes the NIB question's current answer;
    True when newly noted, so that question is asked next for the owner to keep ("lanjut") or change."""
    business = _business(answers, owner)
    if business is None or answers.get(NOTED) == business.id:
        return False
    has_one, none_yet = len(ITEM_BY_KEY[NIB].answers) - 1, 0  # "Sudah punya" is its last answer, "Belum" its first
    answers.update({NOTED: business.id, SECTOR: business.sector, REGISTERED_NIB: business.nib or "",
                    NIB: has_one if business.nib else none_yet})
    return True


def points_of(answers: Answers) -> dict[str, int]:
    """The points each item asked and answered earned; those that do not apply are left out."""
    return {item.key: item.answers[answers[item.key]][1] for item in ITEMS
            if _applies(item, answers) and answers.get(item.key, NOT_APPLICABLE) != NOT_APPLICABLE}


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
        if answers:
            return super().start(turn)
        offer_businesses(answers, owner)
        known = _note_business(answers, owner)
        intro = Reply(turn.text(N_(
            "The self-assessment: %(count)s short questions about your business's permits, money, market, "
            "online sales, products and people. At the end you get a score, a level and concrete next steps. "
            "You can stop at any time and carry on later."), count=self.progress(turn)[1]))
        if known:
            return [intro, self._ask_known(turn)]
        return [intro, *super().start(turn)]

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Once the business is known, so is what applies to it, and the NIB it registered is asked first."""
        owner = registered_owner(turn)
        if question.key == BUSINESS_ID and owner is not None and _note_business(turn.answers, owner):
            return [self._ask_known(turn)]
        return None

    def _ask_known(self, turn: Turn) -> Reply:
        """The NIB question with the registered answer as the current one: moving on would pass it by unasked."""
        turn.state.flow, turn.state.step = self.name, NIB
        return self.ask(turn)

    def complete(self, turn: Turn) -> list[Reply]:
        answers, owner_id = turn.answers, turn.state.owner_id
        self.leave(turn)
        return self.conclude(turn, answers, owner_id)

    def conclude(self, turn: Turn, answers: Answers, owner_id: int | None) -> list[Reply]:
        """Keep the assessment of the answers' business, then tell the score and level, the change, the weak areas
        and what to do."""
        owner = registered_owner(turn)
        business = _business(answers, owner) if owner else None
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
            replies.append(Reply("\n".join(self._advice_lines(turn, points, weak, business.sector))))
        if business.sector in FOOD_SECTORS and points.get("halal", 0) < 3:
            replies.append(Reply(self._halal_notice(turn)))
        if weak:
            replies.append(Reply("\n".join(self._recommended_lines(turn, self._recommended(turn, business, weak)))))
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

    def _advice_lines(self, turn: Turn, points: dict[str, int], weak: list[Dimension], sector: str) -> list[str]:
        """The weakest areas in plain words, and a concrete step for each item short of full points there that
        surely fits the business (no halal advice to a bag maker)."""
        t = turn.text
        steps = [item for dimension in weak for item in ITEMS
                 if item.dimension is dimension and points.get(item.key, 3) < 3 and sector not in item.may_not_apply]
        areas = "; ".join(t(dimension.label) for dimension in weak)
        if not steps:
            return [t(N_("What needs the most attention: %(areas)s."), areas=areas)]
        return [t(N_("What needs the most attention: %(areas)s. Next steps:"), areas=areas),
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

    def _recommended(self, turn: Turn, business: Business, weak: list[Dimension]) -> list[tuple[Listing, SessionInfo]]:
        """Programmes this business may join that teach its weakest areas, leaving out those the owner already holds
        or waits for a place in, each with its session nearest to the business: in its kabupaten, else the soonest."""
        training, owner_id = turn.registry.training, business.owner_id
        held = {session.programme_id for session in training.upcoming_of(owner_id)}
        audience = Audience(((business.kabupaten_code, business.business_class, business.sector),))
        listings = training.recommended([dimension.value for dimension in weak], audience,
                                        MOST_RECOMMENDED + len(held))
        fresh = [listing for listing in listings if listing.programme_id not in held][:MOST_RECOMMENDED]
        # Each has a session ahead (that is how it was found), in the same transaction.
        return [(listing, training.sessions(listing.programme_id, owner_id, near=(business.kabupaten_code,))[0])
                for listing in fresh]

    def _recommended_lines(self, turn: Turn, recommended: list[tuple[Listing, SessionInfo]]) -> list[str]:
        t = turn.text
        if not recommended:
            return [t(N_("There is no training open to you on these topics right now. Type \"program\" to see "
                         "every training open to you."))]
        return [t(N_("Training that helps with these:")),
                *(f"- {listing.name}: {t.date(in_wib(session.starts_at).date())}, {session.place}"
                  for listing, session in recommended),
                t(N_("Type \"program\" to read about them and sign up."))]

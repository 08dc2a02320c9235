"""Ask the Dinas: an owner's own question answered from the knowledge base, or passed to an officer.

It starts from the owner's own question wherever it is asked (flows/reading.py reads it as one), or from
"tanya". A confident match is answered and the owner asked whether it helped; two close matches are offered as
a choice; no match, or "tidak", offers to pass the question to the officers of the business's kabupaten/kota,
who answer in this chat. The owner then goes back to where they were; one who goes on as if the answer was
all they needed (answers the question they were at, or picks from the menu) is not asked again.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.invalid import Invalid
from domain.msgid import N_
from domain.regions import region
from domain.topics import TOPICS
from domain.wib import in_wib
from flows.engine import MENU, START, Question, QuestionFlow, Turn, parse_yes_no_answer, yes_no_labels
from flows.knowledge_base import answer_text, question_text, searchable
from flows.messages import Reply
from flows.parsing import parse_choice
from flows.places import kabupaten_labels, parse_business_kabupaten
from flows.registration import TRAINING_NEEDS_REGISTERING
from store.knowledge import Entry
from store.questions import BOT_ANSWERED, CHOICE, NOT_FOUND, NOT_HELPED
from store.questions import HELPED as IT_HELPED

QUESTION, PICK, HELPED, PASS_ON, TOPIC, KABUPATEN = "question", "which_entry", "helped", "pass_on", "topic", "kabupaten"
# Kept with the flow's answers: the entry answered with, the two offered, the log row of the question, whether
# the entry hands over to an officer, what came of it so far, and where the owner was.
ENTRY, CHOICES, ASKED_ID, HANDS_OVER, OUTCOME, RETURN = "_entry", "_choices", "_asked_id", "_hands_over", "_outcome", \
    "_return"
KNOWN_KABUPATEN = "_kabupaten"  # the business's, when the registry or the registration so far says it
_OPTIONAL = frozenset({PICK, HELPED, PASS_ON})  # the steps an owner may leave by going on with something else
MIN_QUESTION = 3  # characters: fewer is no question an officer could answer
PROMISED_REPLY = 3  # working days: what the Dinas promises, told until its officers' usual time can be
MOST_SUGGESTED = 2  # programmes named after an answer


def _parse_question(text: str, _turn: Turn) -> str:
    if len(text.strip()) < MIN_QUESTION:
        raise Invalid(N_("Please write your question in a few words."))
    return text.strip()


def _choice_labels(turn: Turn) -> list[str]:
    entries = searchable(turn).entries
    labels = [question_text(turn, entries[entry_id]) for entry_id in turn.answers.get(CHOICES, []) if entry_id in entries]
    return [*labels, turn.text(N_("Neither of these"))]


def _parse_pick(text: str, turn: Turn) -> int:
    return parse_choice(text, _choice_labels(turn))


def _topic_labels(turn: Turn) -> list[str]:
    return [turn.text(label) for label in TOPICS.values()]


def _parse_topic(text: str, turn: Turn) -> str:
    return list(TOPICS)[parse_choice(text, _topic_labels(turn))]


def _pass_on_prompt(turn: Turn) -> str:
    answers = turn.answers
    if answers.get(HELPED) is False:
        return N_("I am sorry that did not help. Shall I pass your question to an officer of the Dinas Koperasi dan "
                  "UKM? The officer answers in this chat.")
    if answers.get(ENTRY) is not None:  # an entry that hands over: its answer said an officer can help
        return N_("Shall I pass your question to an officer of the Dinas Koperasi dan UKM? The officer answers in "
                  "this chat.")
    return N_("I cannot answer that question myself yet. Shall I pass it to an officer of the Dinas Koperasi dan "
              "UKM? The officer answers in this chat.")


def _found(answers: dict[str, Any]) -> bool:
    return answers.get(ENTRY) is not None


def _needs_officer(answers: dict[str, Any]) -> bool:
    return answers.get(PASS_ON) is True


class Asking(QuestionFlow):
    """An owner's question: the knowledge base's answer and whether it helped, else a question to an officer."""

    name = "asking"
    questions = (
        Question(QUESTION, N_("What would you like to ask? Write your question in your own words."), _parse_question,
                 N_("Write what you want to know, for example \"how do I get an NIB?\". If I cannot answer it, I can "
                    "pass it to an officer of the Dinas."), counted=False),
        Question(PICK, N_("Which of these do you mean? Reply with its number."), _parse_pick,
                 N_("Reply with the number of the question that is closest to yours."),
                 choices=_choice_labels, applies=lambda answers: bool(answers.get(CHOICES)), counted=False),
        Question(HELPED, N_("Does this answer your question?"), parse_yes_no_answer,
                 N_("Reply \"ya\" if the answer helped, or \"tidak\" and I can pass your question to an officer."),
                 choices=yes_no_labels, applies=lambda answers: _found(answers) and not answers.get(HANDS_OVER),
                 counted=False),
        Question(PASS_ON, _pass_on_prompt, parse_yes_no_answer,
                 N_("Reply \"ya\" to send your question to an officer of the Dinas, or \"tidak\" to leave it."),
                 choices=yes_no_labels,
                 applies=lambda answers: not _found(answers) or answers.get(HELPED) is False
                 or bool(answers.get(HANDS_OVER)),
                 counted=False),
        Question(TOPIC, N_("What is your question about? Reply with its number."), _parse_topic,
                 N_("Choose the topic closest to your question; \"Something else\" is fine too."),
                 choices=_topic_labels, applies=_needs_officer, counted=False),
        Question(KABUPATEN, N_("In which kabupaten or kota is your business? The officers there will answer."),
                 parse_business_kabupaten, N_("Reply with the name of your kabupaten or kota, for example \"Kotim\"."),
                 choices=kabupaten_labels,
                 applies=lambda answers: _needs_officer(answers) and KNOWN_KABUPATEN not in answers, counted=False),
    )

    def __init__(self, where_you_are: Callable[[Turn], list[Reply]], act: Callable[[Turn, str], list[Reply]]) -> None:
        self._where_you_are = where_you_are  # the question of the flow the owner goes back to (the router's)
        self._act = act  # a message read and acted on where the owner now stands (the router's)

    def start(self, turn: Turn) -> list[Reply]:
        """"tanya": ask for the question, remembering where the owner was."""
        self._enter(turn)
        return [self.ask(turn)]

    def take(self, turn: Turn, text: str) -> list[Reply]:
        """An owner's own question asked anywhere: answered at once, remembering where the owner was."""
        self._enter(turn)
        return self.keep(turn, text)

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """After the question: the knowledge base's answer or the choice; after a pick, the picked answer."""
        answers = turn.answers
        if question.key == QUESTION:
            return self._search(turn, value)
        if question.key == PICK:
            choices = answers.pop(CHOICES)
            if value < len(choices):
                return self._answer_with(turn, searchable(turn).entries[choices[value]])
            self._settle(turn, NOT_FOUND)
        if question.key == HELPED:
            self._settle(turn, IT_HELPED if value else NOT_HELPED)
            if value:
                return self._finish(turn, [Reply(turn.text(N_("I am glad it helped.")))])
        if question.key == PASS_ON and not value:
            return self._finish(turn, [Reply(turn.text(
                N_("All right. If you want to ask an officer later, type \"tanya\".")))])
        return None

    def answer(self, turn: Turn, text: str) -> list[Reply]:
        """Offered answers, asked whether one helped or whether to ask an officer, an owner who writes anything else
        is going on: it is read where they were."""
        if turn.state.step in _OPTIONAL and isinstance(self.read(turn, text), Invalid):
            self._finish(turn, [])
            return self._act(turn, text)
        return super().answer(turn, text)

    def complete(self, turn: Turn) -> list[Reply]:
        """Every answer is in: the question goes to the officers, with its number and when to expect a reply."""
        answers = turn.answers
        if not answers.get(PASS_ON):
            return self._finish(turn, [])
        kabupaten = answers.get(KNOWN_KABUPATEN) or answers[KABUPATEN]
        questions = turn.registry.questions
        question_id = questions.ask(turn.state.id, turn.state.owner_id, kabupaten, answers[TOPIC], answers[QUESTION])
        if answers.get(ASKED_ID) is not None:
            questions.settle_asked(answers[ASKED_ID], answers.get(OUTCOME, NOT_FOUND), question_id)
        usual = questions.usual_reply_time(kabupaten)
        when = (turn.text(N_("Officers there usually reply within %(time)s."), time=_duration(turn, usual))
                if usual is not None else
                turn.text(N_("The Dinas aims to reply within %(days)s working days (Monday to Friday, public holidays excepted)."),
                          days=PROMISED_REPLY))
        return self._finish(turn, [Reply("\n".join((
            turn.text(N_("Your question has been passed to the officers of the Dinas Koperasi dan UKM for %(place)s, "
                         "number %(number)s."), place=region(kabupaten).short_name, number=f"#{question_id}"),
            when,
            turn.text(N_("The answer comes in this chat. Anything you write meanwhile is added to your question. To "
                         "see your questions, type \"pertanyaan saya\".")))))])

    def go_back(self, turn: Turn) -> list[Reply]:
        """"kembali" leaves the question where it is and goes back to where the owner was."""
        return self._finish(turn, [])

    def cancel(self, turn: Turn) -> list[Reply]:
        """"batal": nothing to throw away but the question; the owner goes back to where they were."""
        return self._finish(turn, [Reply(turn.text(N_("All right, the question is left.")))])

    # -- inside ---------------------------------------------------------------------------

    def _enter(self, turn: Turn) -> None:
        """Start afresh, remembering where the owner was (a question asked here keeps the place asked from)."""
        previous = turn.state.answers.get(self.name, {})
        back = previous.get(RETURN) if turn.state.flow == self.name else [turn.state.flow, turn.state.step]
        answers: dict[str, Any] = {RETURN: back}
        known = self._known_kabupaten(turn)
        if known is not None:
            answers[KNOWN_KABUPATEN] = known
        turn.state.answers[self.name] = answers
        turn.state.flow, turn.state.step = self.name, QUESTION

    def _known_kabupaten(self, turn: Turn) -> str | None:
        """The business's kabupaten/kota: the registry's (when the owner's businesses are in one), or the
        registration's so far."""
        if turn.state.owner_id is not None:
            codes = turn.registry.audience(turn.state.owner_id).kabupaten_codes
            if len(codes) == 1:
                return codes[0]
        registration = turn.state.answers.get("registration", {})
        return registration.get("kabupaten_code")

    def _search(self, turn: Turn, text: str) -> list[Reply] | None:
        answers = turn.answers
        finding = searchable(turn).find(text, answers.get(KNOWN_KABUPATEN))
        outcome = BOT_ANSWERED if finding.answer is not None else CHOICE if finding.choices else NOT_FOUND
        answers[ASKED_ID] = turn.registry.questions.log_asked(
            turn.state.id, turn.state.owner_id, answers.get(KNOWN_KABUPATEN), text, finding.answer, outcome)
        answers[OUTCOME] = outcome
        if finding.answer is not None:
            return self._answer_with(turn, searchable(turn).entries[finding.answer])
        if finding.choices:
            answers[CHOICES] = list(finding.choices)
        return None

    def _answer_with(self, turn: Turn, entry: Entry) -> list[Reply]:
        """The entry's answer and the programmes that help, then whether it helped (or the offer of an officer)."""
        answers = turn.answers
        answers[ENTRY] = entry.id
        answers[HANDS_OVER] = entry.content.hands_over
        if answers.get(ASKED_ID) is not None:
            turn.registry.questions.settle_asked(answers[ASKED_ID], BOT_ANSWERED, entry_id=entry.id)
        lines = [answer_text(turn, entry), *self._programme_lines(turn, entry)]
        return [Reply("\n\n".join(lines)), *self._advance(turn)]

    def _programme_lines(self, turn: Turn, entry: Entry) -> list[str]:
        codes = entry.content.programme_codes
        if not codes:
            return []
        near = (turn.answers[KNOWN_KABUPATEN],) if KNOWN_KABUPATEN in turn.answers else ()
        sessions = turn.registry.training.nearest_of(codes, near)[:MOST_SUGGESTED]
        if not sessions:
            return []
        t = turn.text
        return ["\n".join((t(N_("Training that helps with this:")),
                           *(f"- {session.programme_name}: {t.date(in_wib(session.starts_at).date())}, {session.place}"
                             for session in sessions),
                           t(N_("Type \"program\" to read about it and sign up.")) if turn.state.owner_id is not None
                           else t(TRAINING_NEEDS_REGISTERING)))]

    def _settle(self, turn: Turn, outcome: str) -> None:
        turn.answers[OUTCOME] = outcome
        if turn.answers.get(ASKED_ID) is not None:
            turn.registry.questions.settle_asked(turn.answers[ASKED_ID], outcome)

    def _finish(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """Leave, back to where the owner was, whose question comes again."""
        back = turn.answers.get(RETURN) or [MENU, START]
        self.leave(turn)
        turn.state.flow, turn.state.step = back
        return replies if turn.state.flow == MENU else [*replies, *self._where_you_are(turn)]


def _duration(turn: Turn, usual: timedelta) -> str:
    """"5 hours", "2 days": rounded up, so the owner is not promised sooner than it usually comes."""
    hours = max(1, -(-int(usual.total_seconds()) // 3600))
    if hours < 24:
        return turn.text(N_("one hour")) if hours == 1 else turn.text(N_("%(count)s hours"), count=hours)
    days = -(-hours // 24)
    return turn.text(N_("one day")) if days == 1 else turn.text(N_("%(count)s days"), count=days)

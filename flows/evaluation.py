"""A session's evaluation, asked the morning after of each owner who attended: how useful it was, the trainer,
what they will apply, anything else. Each answer is kept as it comes, so one who stops half way still counts."""

from typing import Any

from domain.invalid import Invalid
from domain.msgid import N_
from domain.words import NO, NONE, words_for
from flows.engine import Question, Turn
from flows.follow_up import SESSION, FollowUpFlow
from flows.messages import Reply
from flows.parsing import parse_choice
from flows.utterance import Said
from store.follow_ups import Kind

USEFULNESS = (N_("Not useful"), N_("Of little use"), N_("Fairly useful"), N_("Useful"), N_("Very useful"))
TRAINER = (N_("Poor"), N_("Not so good"), N_("Fair"), N_("Good"), N_("Very good"))
_NOTHING = words_for(NO) | words_for(NONE) | {"-", "tidak ada", "gak ada", "nggak ada", "ga ada", "nothing"}


def _rating(labels: tuple[str, ...]) -> Any:
    def parse(text: str, turn: Turn) -> int:
        """1 to 5, as its number or its words."""
        return parse_choice(text, [turn.text(label) for label in labels]) + 1
    return parse


def _labels(labels: tuple[str, ...]) -> Any:
    return lambda turn: [turn.text(label) for label in labels]


def _shown(labels: tuple[str, ...]) -> Any:
    return lambda value, turn: turn.text(labels[value - 1])


def parse_words(text: str, _turn: Turn) -> str | None:
    """The owner's own words; "tidak ada" or "-" is none."""
    if Said(text).bare in _NOTHING:
        return None
    if len(text.strip()) < 2:
        raise Invalid(N_("Please write a few words, or \"tidak ada\"."))
    return text.strip()


class Evaluation(FollowUpFlow):
    """Four questions about a session the owner attended, kept in the evaluations table."""

    name = "evaluation"
    kind = Kind.EVALUATION
    title = N_("Evaluation of a session, the morning after")
    intro = N_("Thank you for taking part in %(programme)s (%(when)s). May I ask what you thought of it? Four short "
               "questions; your answers help the Dinas make its training better.")
    first_choices = USEFULNESS
    questions = (
        Question("usefulness", N_("How useful was the training for your business?"), _rating(USEFULNESS),
                 N_("Reply with the number that fits, from 1 (not useful) to 5 (very useful)."),
                 choices=_labels(USEFULNESS), show=_shown(USEFULNESS)),
        Question("trainer", N_("How was the trainer?"), _rating(TRAINER),
                 N_("Reply with the number that fits, from 1 (poor) to 5 (very good)."),
                 choices=_labels(TRAINER), show=_shown(TRAINER)),
        Question("will_apply", N_("What from the training will you apply in your business? A few words are enough."),
                 parse_words, N_("For example \"mencatat kas harian\" or \"pasang QRIS\". Or \"tidak ada\"."),
                 free_text=True),
        Question("comment", N_("Anything else you would like to tell the Dinas about the training? If not, reply "
                               "\"tidak ada\"."), parse_words,
                 N_("Anything at all: the place, the time, what you missed. Or \"tidak ada\"."), free_text=True),
    )

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Keep each answer at once: an evaluation left half way still counts what it says."""
        turn.registry.follow_ups.evaluate(turn.answers[SESSION], turn.state.owner_id, **{question.key: value})
        return None

    def complete(self, turn: Turn) -> list[Reply]:
        return self.finish(turn, [Reply(turn.text(N_("Thank you! Your answers have been passed to the Dinas.")))])

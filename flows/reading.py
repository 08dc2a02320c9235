"""The reading of an owner's message where they stand, in one order of evidence, written here once.

1. an answer to the current question (its choice numbers too, on every channel);
2. a command or a word understood everywhere, when the message is that command or a close misspelling of it,
   never because a longer sentence contains it;
3. a social message (thanks, greetings, salam, "ok", emoji), answered in kind before the question again;
4. a question or request of the owner's own, answered with the way forward there is today.
When two readings are close, or an answer is valid but unlikely for its question, the owner is asked which.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.invalid import Invalid, Phrase
from domain.msgid import N_
from domain.text import normalise_name
from flows.commands import (
    ANSWER,
    CANCEL_ANNOUNCEMENT,
    HELP,
    REPORT,
    Command,
    close_commands,
    exact_command,
    serving,
)
from flows.engine import CHANGE_WORDS, Answer, Doubt, Flow, QuestionFlow, Suggest, Turn
from flows.parsing import choice_number, parse_choice, parse_yes_no
from flows.utterance import Said


class Kind(StrEnum):
    ANSWER = "answer"  # `value` is what the current question keeps (a menu's or list's choice: its label)
    COMMAND = "command"  # `command` is the command's canonical word ("menu", "jadwal", "data saya", "ubah 3")
    SOCIAL = "social"  # `social` is "thanks", "greeting", "salam", "ok", "goodbye" or "emoji"
    QUESTION = "question"  # `command` is the command that serves it, or None: nothing here does yet
    ASK_BACK = "ask_back"  # close readings or an unlikely answer: the owner is asked which was meant
    UNCLEAR = "unclear"  # none of these: the current question's own reason, and the question again


@dataclass(frozen=True)
class Reading:
    """What one message was taken to be."""

    kind: Kind
    value: Any = None
    command: str | None = None
    social: str | None = None
    doubt: Doubt | None = None  # ASK_BACK for an unlikely answer: what to ask about `value`
    options: tuple[str, ...] = ()  # ASK_BACK between commands: their words


_REPORT_OF = re.compile(r"/?(?:laporan|report)\s*(?:no\.?|nomor|#)?\s*(\d{1,9})")  # an officer's "laporan 12"
# An officer's "batalkan 12": the announcement's number is what makes it more than "batal".
_CANCEL_OF = re.compile(r"/?(?:batalkan|batal|cancel)\s*(?:pengumuman|announcement)?\s*(?:no\.?|nomor|#)?\s*(\d{1,9})")
_ANSWER_TO = re.compile(r"/?(?:jawab|balas|answer|reply)\s*(?:no\.?|nomor|#)?\s*(\d{1,9})\b[\s:,.-]*(.*)",
                        re.DOTALL | re.IGNORECASE)  # an officer's "jawab 12 Silakan datang ke kantor"
_ASK_WITH = re.compile(r"/?(?:tanya|bertanya|ask)\b[\s:,.-]+(\S.*)", re.DOTALL | re.IGNORECASE)  # "tanya cara bikin nib"
CHANGE = "ubah"  # "ubah 3" changes the third answer of a flow with a review, at every step of it
NOT_AN_ANSWER = Invalid(N_("Please answer the question."))  # where a question or a greeting came instead
_FREE_TEXT_DOUBT = N_("Just to be sure: %(title)s \"%(answer)s\". Is that right?")


def read(turn: Turn, flow: Flow | None, text: str, choices: Sequence[str] = ()) -> Reading:
    """The reading of `text` at the owner's step in `flow` (None: the menu, whose `choices` are its labels)."""
    said = Said(text)
    report = _REPORT_OF.fullmatch(said.bare)
    if report and turn.officer is not None:
        return Reading(Kind.COMMAND, command=REPORT, value=int(report[1]))
    cancel = _CANCEL_OF.fullmatch(said.bare)
    if cancel and turn.officer is not None:
        return Reading(Kind.COMMAND, command=CANCEL_ANNOUNCEMENT, value=int(cancel[1]))
    answer_to = _ANSWER_TO.match(said.text.strip())
    if answer_to and turn.officer is not None:
        return Reading(Kind.COMMAND, command=ANSWER, value=(int(answer_to[1]), answer_to[2]))
    change = _change(turn, flow, said)
    if change is not None:
        return Reading(Kind.COMMAND, command=f"{CHANGE} {change + 1}", value=change)
    answer = _answer(turn, flow, text, said, choices)
    exact = _for_whom(turn, [command] if (command := exact_command(said.bare, officer=True)) else [])
    if exact and isinstance(answer, Suggest):  # "daftar" on a screen of sessions: this one, or another business?
        return Reading(Kind.ASK_BACK, value=answer)
    if exact and not (isinstance(answer, Answer) and _answer_over_command(turn, flow, said, choices, answer, exact[0])):
        return Reading(Kind.COMMAND, command=exact[0].word)
    if isinstance(answer, Answer):
        if answer.doubt is not None:
            return Reading(Kind.ASK_BACK, value=answer.value, doubt=answer.doubt, social=said.social)
        return Reading(Kind.ANSWER, value=answer.value)
    asked = _ASK_WITH.fullmatch(said.text.strip())
    if asked:  # the command with the question after it: the question, asked
        return Reading(Kind.QUESTION, value=asked[1])
    close = _for_whom(turn, close_commands(said.bare, officer=True))
    if len(close) == 1:
        return Reading(Kind.COMMAND, command=close[0].word)
    if close:
        return Reading(Kind.ASK_BACK, options=tuple(command.word for command in close))
    if isinstance(answer, Suggest) and len(answer.indexes) > 1:  # "barito": Selatan, Timur or Utara?
        return Reading(Kind.ASK_BACK, value=answer)
    if said.social is not None:
        return Reading(Kind.SOCIAL, social=said.social)
    if said.is_question:
        return Reading(Kind.QUESTION, command=_serving(turn, flow, said))
    return Reading(Kind.UNCLEAR, value=answer)


def _serving(turn: Turn, flow: Flow | None, said: Said) -> str | None:
    """The command that serves an owner's own question: one its topic names, the current question's help when it
    asks what that question means, or help when it only asks how this works; None when nothing here does yet."""
    served = serving(said.words, officer=turn.officer is not None)
    if served is not None:
        return served.word
    if flow is not None and flow.asks_about(turn, said.text) or said.asks_how_this_works:
        return HELP
    return None


def _for_whom(turn: Turn, commands: Sequence[Command]) -> list[Command]:
    """The commands this writer may give: an officer's only from an active officer (looked up only then)."""
    return [command for command in commands if not command.officer or turn.officer is not None]


def _change(turn: Turn, flow: Flow | None, said: Said) -> int | None:
    """"ubah 3" or "ganti nama usaha" in a flow whose answers can be changed: the answer's index."""
    words = said.bare.split()
    if len(words) < 2 or words[0] not in CHANGE_WORDS or not isinstance(flow, QuestionFlow):
        return None
    return flow.changeable(turn, " ".join(words[1:]))


def _answer(turn: Turn, flow: Flow | None, text: str, said: Said, choices: Sequence[str]) -> Answer | Invalid:
    """What the text answers at this step; a question, greeting or command is no free-text answer."""
    if flow is None:
        return _choice(text, said, choices)
    answer = flow.read(turn, text)
    if isinstance(answer, Suggest) and said.is_question:  # "apa bedanya kuliner sama olahan?" picks neither
        return NOT_AN_ANSWER
    if isinstance(answer, Invalid):
        return answer
    if not isinstance(answer, Answer):  # a browsing flow's pick, which nothing doubts
        answer = Answer(answer)
    question = flow.question(turn) if isinstance(flow, QuestionFlow) else None
    picked_by_words = choice_number(text) is None
    if said.is_question and picked_by_words and (question is None or question.free_text or question.choices):
        return NOT_AN_ANSWER
    if question is not None and question.free_text and len(said.words) == 1 and close_commands(said.bare, officer=True):
        return NOT_AN_ANSWER  # "btal", "jadwl": a slip of a command, not a name
    # (An answer its parser read as none, "tidak ada" to "anything else?", was understood: nothing to doubt.)
    if question is not None and question.free_text and answer.doubt is None and answer.value is not None \
            and _unlikely_as_free_text(said):
        title = turn.text(question.title) if question.title else ""
        return Answer(answer.value, Doubt(Phrase(_FREE_TEXT_DOUBT, {"title": title, "answer": question.show(answer.value, turn)})))
    return answer


def _choice(text: str, said: Said, choices: Sequence[str]) -> Answer | Invalid:
    try:
        index = parse_choice(text, choices)
    except Invalid as rejection:
        return rejection
    if said.is_question and choice_number(text) is None:
        return NOT_AN_ANSWER
    return Answer(choices[index])


def _unlikely_as_free_text(said: Said) -> bool:
    """A greeting, thanks, "ok", a yes or a no, a command word, or "none yet" ("blm ada nama"): words people send,
    not names or addresses."""
    if said.social is not None or exact_command(said.bare, officer=True) is not None or said.says_none_yet:
        return True
    try:
        parse_yes_no(said.text)
    except Invalid:
        return False
    return len(said.words) <= 2


def _answer_over_command(turn: Turn, flow: Flow | None, said: Said, choices: Sequence[str], answer: Answer,
                         command: Command) -> bool:
    """Whether an answer outweighs the command the same words are: a yes or no to a question asked ("gak jadi" to
    "Batalkan?" is no), unless it is the command's own word, which the bot promises works everywhere ("batal"); or
    a choice on the screen named word for word."""
    yes_or_no = isinstance(answer.value, bool) and said.bare != command.word
    return yes_or_no or _names_a_choice(turn, flow, said.text, choices)


def _names_a_choice(turn: Turn, flow: Flow | None, text: str, choices: Sequence[str]) -> bool:
    """Whether the text is, word for word, one of the choices on the screen (then it is that choice)."""
    if flow is not None:
        choices = flow.choice_labels(turn)
    wanted = normalise_name(text)
    return any(normalise_name(label) == wanted for label in choices)

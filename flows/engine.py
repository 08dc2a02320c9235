"""The flow engine: questions as data, one `transitions` machine per flow class.

A flow's machine is declared once, when its class is defined. Each message attaches the
conversation's state to it at the stored step, fires one trigger and detaches it again, so
nothing about an owner outlives the message.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any, ClassVar, Protocol

from transitions import Machine

from domain.channels import TELEGRAM
from domain.invalid import Invalid, Phrase
from domain.msgid import N_
from domain.wib import in_wib
from flows.i18n import Text
from flows.messages import Choice, Inbound, Reply, numbered
from flows.parsing import ascii_digits, choice_number, parse_choice, parse_yes_no
from flows.utterance import Said
from store.officers import OfficerInfo
from store.registry import ConversationState, Registry

START = "start"
REVIEW = "review"
PICK = "pick"
CONFIRM_CANCEL = "confirm_cancel"
DONE = "done"
MENU = "menu"  # the conversation's flow when it is in no flow
RETURN_TO = "_return_to"  # kept with a flow's answers while "batal" waits for its confirmation
SUGGESTED = "_suggested"  # the choices a rejected answer narrowed down to, for the next answer
SAVE, CHANGE = "save", "change"  # what a review's answer can be
KEEP_WORDS = frozenset({"lanjut", "tetap", "sama", "lewati", "skip", "next", "keep"})
SAVE_WORDS = frozenset({"simpan", "save", "ya simpan", "ya, simpan", "yes, save", "yes save"})
_WORDS = re.compile(r"[a-z]{3,}")  # words that say what a question is about ("nik", "modal"), not "di"
_EVERY_QUESTIONS = frozenset("usaha anda yang untuk dengan atau saya bisa misalnya business your with what ini itu "
                             "apa dan ada dari the and for are you".split())
# What an owner asks when asking what a question means: "NIK itu yg mana?", "omzet itu kotor atau bersih?"
_WHAT_IS_MEANT = frozenset("itu ini maksud maksudnya mana atau termasuk artinya".split())
CHANGE_WORDS = frozenset({"ubah", "ganti", "edit", "change", "koreksi", "perbaiki"})  # "ubah 3", at any question

Answers = dict[str, Any]


@dataclass(frozen=True)
class Office:
    """How owners reach the Dinas for what the chat cannot answer, as the settings say it ("": the general words)."""

    contact: str = ""
    hours: str = ""


GENERAL_OFFICE = Office()  # no settings: the catalog's general words


@dataclass
class Turn:
    """One message being handled: the state, the owner's language, the registry in its transaction."""

    state: ConversationState
    inbound: Inbound
    registry: Registry
    dashboard_url: str = ""  # where an officer's login link leads
    office: Office = GENERAL_OFFICE
    text: Text = field(init=False)

    def __post_init__(self) -> None:
        self.text = Text(self.state.language)

    def explain(self, rejection: Invalid) -> str:
        """Why an answer was not taken, in the owner's language."""
        return self.text(rejection.reason, **rejection.params)

    def switch_language(self, language: str) -> None:
        self.text = Text(language)
        self.state.language = self.text.language

    @cached_property
    def officer(self) -> OfficerInfo | None:
        """The active officer writing, if the writer is one: looked up once a message, however often asked."""
        # A private Telegram chat's address is its user's id; a group's never is an officer's.
        telegram_id = self.inbound.address if self.inbound.channel == TELEGRAM else None
        return self.registry.officers.recognise(telegram_id, self.inbound.verified_phone)

    @property
    def now(self) -> datetime:
        """The moment this message is handled, the same one the registry stamps its rows with."""
        return self.registry.now

    @property
    def today(self) -> date:
        return in_wib(self.now).date()

    @property
    def answers(self) -> Answers:
        """The answers of the flow the conversation is in."""
        return self.answers_of(self.state.flow)

    def answers_of(self, flow: str) -> Answers:
        return self.state.answers.setdefault(flow, {})

    def has_answers(self, flow: str) -> bool:
        return bool(self.state.answers.get(flow))


class Suggest(Invalid):
    """A rejected answer that narrows the question's choices down to a few close ones."""

    def __init__(self, reason: str, indexes: Sequence[int], **params: object) -> None:
        super().__init__(reason, **params)
        self.indexes = tuple(indexes)


def _always(_answers: Answers) -> bool:
    return True


def _as_text(value: Any, _turn: Turn) -> str:
    return str(value)


@dataclass(frozen=True)
class Doubt:
    """Why a valid answer is asked about before it is kept, and which question to ask again if it is wrong."""

    reason: Phrase
    revisit: str | None = None  # the question whose answer is in doubt, when it is not the one just answered


@dataclass(frozen=True)
class Answer:
    """What a message answers at the current step, and any doubt to clear before keeping it."""

    value: Any
    doubt: Doubt | None = None


@dataclass(frozen=True)
class Question:
    """One question of a flow: what it asks, how it reads the answer, how it shows it back."""

    key: str
    prompt: str | Callable[[Turn], str]  # msgid, or what picks one; `prompt_params` fill it
    parse: Callable[[str, Turn], Any]  # raises Invalid with a reason for the owner
    help: str  # msgid shown for "bantuan"
    choices: Callable[[Turn], Sequence[str]] | None = None
    applies: Callable[[Answers], bool] = _always
    show: Callable[[Any, Turn], str] = _as_text
    prompt_params: Callable[[Turn], dict[str, object]] | None = None
    clears: tuple[str, ...] = ()  # later answers that a new answer here makes stale
    counted: bool = True  # part of "Pertanyaan 4 dari 13"
    title: str = ""  # msgid naming the answer in the review list
    expects: str | None = None  # passed on to the reply: channels with a button for it offer one
    # A valid answer that is unlikely for this question ("Iya" as a name) is confirmed first: what to ask, or None.
    doubt: Callable[[str, Any, Turn], Doubt | None] | None = None
    free_text: bool = False  # any words are an answer (a name, an address): a question or a command is not



class Flow(Protocol):
    """What the router asks of every flow, whether it asks questions or lets the owner browse."""

    name: str

    def start(self, turn: Turn) -> list[Reply]: ...
    def read(self, turn: Turn, text: str) -> Answer | Invalid: ...
    def choice_labels(self, turn: Turn) -> list[str]: ...
    def asks_about(self, turn: Turn, text: str) -> bool: ...
    def answer(self, turn: Turn, text: str) -> list[Reply]: ...
    def go_back(self, turn: Turn) -> list[Reply]: ...
    def cancel(self, turn: Turn) -> list[Reply]: ...
    def help(self, turn: Turn) -> list[Reply]: ...
    def ask(self, turn: Turn) -> Reply: ...


class QuestionFlow:
    """A conversation that asks its questions in order, with going back, cancelling and review."""

    name: ClassVar[str]
    questions: ClassVar[tuple[Question, ...]]
    review: ClassVar[bool] = False  # show every answer and ask "ya" or "ubah" before completing
    machine: ClassVar[Machine]
    _by_key: ClassVar[dict[str, Question]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "questions" in cls.__dict__:
            cls.machine = _declare_machine(cls.questions, cls.review)
            cls._by_key = {question.key: question for question in cls.questions}

    # -- what the router calls -------------------------------------------------------------

    def start(self, turn: Turn) -> list[Reply]:
        """Enter the flow where the owner left it: the first unanswered question, or the review."""
        turn.state.flow, turn.state.step = self.name, START
        return self._advance(turn)

    def read(self, turn: Turn, text: str) -> Answer | Invalid:
        """What the text answers at the current step, or why it answers nothing; changes nothing."""
        step = turn.state.step
        if step == CONFIRM_CANCEL:
            return _read(_parse_cancel_answer, text)
        if step == REVIEW:
            return self._read_review(turn, text)
        if step == PICK:
            return _read(lambda text: self._pick_index(turn, text), text)
        question = self._by_key.get(step)
        if question is None:
            return Invalid(N_("Please reply with one of the numbers shown."))
        answers = turn.answers_of(self.name)
        if text.casefold() in KEEP_WORDS:
            if question.key in answers:
                return Answer(answers[question.key])
            return Invalid(N_("This question has no answer yet to keep; please answer it."))
        typed = text
        if question.choices:
            labels = question.choices(turn)
            number = choice_number(text)
            suggested = answers.get(SUGGESTED)
            if suggested and number is not None and number - 1 not in suggested:
                return Suggest(N_("Please reply with one of the numbers shown."), suggested)
            text = _narrowed(_label_if_numbered(text, number, labels), labels, suggested)
        try:
            value = question.parse(text, turn)
        except Invalid as rejection:
            return rejection
        return Answer(value, question.doubt(typed, value, turn) if question.doubt else None)

    def answer(self, turn: Turn, text: str) -> list[Reply]:
        """Take the owner's text as the answer to the current step."""
        step = turn.state.step
        if step not in self._by_key and step not in (CONFIRM_CANCEL, REVIEW, PICK):
            return self.start(turn)
        read = self.read(turn, text)
        turn.answers_of(self.name).pop(SUGGESTED, None)
        if isinstance(read, Invalid):
            if step in (CONFIRM_CANCEL, PICK):
                return [Reply(turn.explain(read)), self.ask(turn)]
            if step == REVIEW:
                return [Reply(turn.text(read.reason)), self._review_reply(turn)]
            return [self._rejected(turn, self._by_key[step], read)]
        return self.keep(turn, read.value)

    def keep(self, turn: Turn, value: Any) -> list[Reply]:
        """Act on an answer read at the current step (and confirmed, if it was in doubt)."""
        step = turn.state.step
        if step == CONFIRM_CANCEL:
            return self._answer_cancel(turn, value)
        if step == REVIEW:
            return self._answer_review(turn, value)
        if step == PICK:
            return self.change(turn, value)
        question = self._by_key[step]
        answers = turn.answers_of(self.name)
        if answers.get(question.key, value) != value:
            for stale in question.clears:
                answers.pop(stale, None)
        answers[question.key] = value
        early = self.answered(turn, question, value)
        if early is not None:
            return early
        return self._advance(turn)

    def revisit(self, turn: Turn, key: str) -> list[Reply]:
        """Ask an earlier question again, its answer shown, as after "ubah"; a flow without review goes on."""
        if self.review:
            self._fire(turn, "edit", key=key)
        return [self.ask(turn)]

    def asks_about(self, turn: Turn, text: str) -> bool:
        """Whether an owner's question asks what the current one means: it names a word of its prompt or help, and
        asks what is meant ("NIK itu yg mana?") or says the word as "its" ("alamatnya harus lengkap?")."""
        question = self.question(turn)
        if question is None:
            return False
        prompt = question.prompt(turn) if callable(question.prompt) else question.prompt
        shown = set(_WORDS.findall(f"{turn.text(prompt)} {turn.text(question.help)}".casefold())) - _EVERY_QUESTIONS
        words = _WORDS.findall(text.casefold())
        named = {word for word in words if word in shown or word.removesuffix("nya") in shown}
        return bool(named) and (bool(_WHAT_IS_MEANT.intersection(words)) or any(word not in shown for word in named))

    def change(self, turn: Turn, index: int) -> list[Reply]:
        """"ubah 3": ask the third of the questions shown in the review again, keeping its answer meanwhile."""
        self._fire(turn, "edit", key=self._counted(turn)[index].key)
        return [self.ask(turn)]

    def changeable(self, turn: Turn, text: str) -> int | None:
        """The index of the answered question that "ubah 3" or "ubah nama usaha" names, if this flow reviews."""
        if not self.review:
            return None
        counted = [question for question in self._counted(turn) if question.key in turn.answers_of(self.name)]
        try:
            index = parse_choice(text, [turn.text(question.title) for question in counted])
        except Invalid:
            return None
        return self._counted(turn).index(counted[index])

    def go_back(self, turn: Turn) -> list[Reply]:
        """Step to the previous question, keeping every answer given so far."""
        if turn.state.step == CONFIRM_CANCEL:
            return self._resume(turn)
        if not self._fire(turn, "back"):
            return [Reply(turn.text(N_("This is the first question."))), self.ask(turn)]
        return [self.ask(turn)]

    def cancel(self, turn: Turn) -> list[Reply]:
        """Ask whether the owner really wants to throw away this flow's answers."""
        if turn.state.step == CONFIRM_CANCEL:  # "batal" again, asked whether to cancel: yes
            return self._answer_cancel(turn, True)
        turn.answers_of(self.name)[RETURN_TO] = turn.state.step
        self._fire(turn, "cancel")
        return [self.ask(turn)]

    def help(self, turn: Turn) -> list[Reply]:
        question = self._by_key.get(turn.state.step)
        words = N_("You can type \"kembali\" to go back, \"batal\" to cancel, \"menu\" for the main menu.")
        if question is None:
            return [Reply(turn.text(words)), self.ask(turn)]
        return [Reply(turn.text(question.help) + "\n\n" + turn.text(words)), self.ask(turn)]

    def ask(self, turn: Turn) -> Reply:
        """The current step's question, with the progress marker and the answer given so far."""
        if turn.state.step not in self._by_key and turn.state.step not in (CONFIRM_CANCEL, REVIEW, PICK):
            # A step this version no longer has (or none yet): pick up at the first open question.
            turn.state.step = START
            self._fire(turn, "advance")
        step = turn.state.step
        if step == CONFIRM_CANCEL:
            return Reply(turn.text(self.cancel_prompt), yes_no_choices(turn))
        if step == REVIEW:
            return self._review_reply(turn)
        if step == PICK:
            return Reply(turn.text(N_("Which number do you want to change? Reply with a number from 1 to %(count)s."),
                                   count=len(self._counted(turn))))
        question = self._by_key[step]
        lines = []
        counted = self._counted(turn)
        if question in counted and len(counted) > 1:
            lines.append(turn.text(N_("Question %(number)s of %(total)s"),
                                   number=counted.index(question) + 1, total=len(counted)))
        params = question.prompt_params(turn) if question.prompt_params else {}
        prompt = question.prompt(turn) if callable(question.prompt) else question.prompt
        lines.append(turn.text(prompt, **params))
        answers = turn.answers_of(self.name)
        if question.key in answers:
            lines.append(turn.text(N_("(Current answer: %(answer)s. Reply \"lanjut\" to keep it.)"),
                                   answer=question.show(answers[question.key], turn)))
        return Reply("\n".join(lines), numbered(question.choices(turn)) if question.choices else (),
                     expects=question.expects)

    def question(self, turn: Turn) -> Question | None:
        """The question the owner is at, if at one (not at the review or a confirmation)."""
        return self._by_key.get(turn.state.step)

    def choice_labels(self, turn: Turn) -> list[str]:
        """The labels of the choices the current step offers."""
        question = self.question(turn)
        return list(question.choices(turn)) if question is not None and question.choices else []

    def progress(self, turn: Turn) -> tuple[int, int]:
        """How many counted questions are answered, of how many."""
        answers = turn.answers_of(self.name)
        counted = self._counted(turn)
        return sum(question.key in answers for question in counted), len(counted)

    # -- what a flow fills in --------------------------------------------------------------

    cancel_prompt: ClassVar[str] = N_("Cancel and delete the answers given so far?")
    cancelled_message: ClassVar[str] = N_("Cancelled. Nothing was saved.")

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Hook after an answer is stored; replies returned here end the turn."""
        return None

    def complete(self, turn: Turn) -> list[Reply]:
        """Every answer is in (and reviewed): act on them."""
        raise NotImplementedError

    def leave(self, turn: Turn) -> None:
        leave_flow(turn, self.name)

    # -- inside ---------------------------------------------------------------------------

    def _counted(self, turn: Turn) -> list[Question]:
        answers = turn.answers_of(self.name)
        return [q for q in self.questions if q.counted and q.applies(answers)]

    def _fire(self, turn: Turn, trigger: str, **kwargs: Any) -> bool:
        turn.answers_of(self.name).pop(SUGGESTED, None)  # they belonged to the step being left
        return fire(self.machine, turn, trigger, turn.answers_of(self.name), **kwargs)

    def _advance(self, turn: Turn) -> list[Reply]:
        self._fire(turn, "advance")
        if turn.state.step == DONE:
            return self.complete(turn)
        return [self.ask(turn)]

    def _rejected(self, turn: Turn, question: Question, rejection: Invalid) -> Reply:
        reason = turn.explain(rejection)
        if isinstance(rejection, Suggest) and question.choices:
            labels = question.choices(turn)
            turn.answers_of(self.name)[SUGGESTED] = list(rejection.indexes)
            return Reply(reason, tuple(Choice(i + 1, labels[i]) for i in rejection.indexes))
        asked = self.ask(turn)
        return Reply(reason + "\n\n" + asked.text, asked.choices, expects=rejection.expects or asked.expects)

    def _answer_cancel(self, turn: Turn, confirmed: bool) -> list[Reply]:
        if confirmed:
            self.leave(turn)
            return [Reply(turn.text(self.cancelled_message))]
        return self._resume(turn)

    def _resume(self, turn: Turn) -> list[Reply]:
        self._fire(turn, "resume")
        turn.answers_of(self.name).pop(RETURN_TO, None)
        return [Reply(turn.text(N_("All right, let's carry on."))), self.ask(turn)]

    def answer_lines(self, turn: Turn) -> list[str]:
        """"4. Nama usaha: Warung Bu Sari" for each answered question, numbered as in the review."""
        answers = turn.answers_of(self.name)
        return [f"{number}. {turn.text(question.title)}: {question.show(answers[question.key], turn)}"
                for number, question in enumerate(self._counted(turn), start=1) if question.key in answers]

    def _review_reply(self, turn: Turn) -> Reply:
        lines = [self.review_heading(turn), "", *self.answer_lines(turn)]
        lines += ["", self.review_footer(turn), "",
                  turn.text(N_("Reply \"ya\" to save, or \"ubah\" and a number to change an answer (for example \"ubah 3\")."))]
        return Reply("\n".join(lines), self._review_choices(turn))

    def _review_choices(self, turn: Turn) -> tuple[Choice, ...]:
        # Buttons only: on a numbered text channel "1" must mean answer 1, as the review lists it.
        return (Choice(None, turn.text(N_("Yes, save"))), Choice(None, turn.text(N_("Change"))))

    def review_heading(self, turn: Turn) -> str:
        return turn.text(N_("Please check your answers:"))

    def review_footer(self, turn: Turn) -> str:
        return ""

    def _read_review(self, turn: Turn, text: str) -> Answer | Invalid:
        """"ya" saves; "ubah" asks which answer to change, and "3" changes the third ("ubah 3" does everywhere)."""
        if text.casefold().strip() in CHANGE_WORDS:
            return Answer(CHANGE)
        if choice_number(text) is not None:  # the review lists numbered answers: a number picks one
            return _read(lambda text: self._pick_index(turn, text), text)
        try:
            confirmed = text.casefold().strip(" .!") in SAVE_WORDS or parse_yes_no(text)
        except Invalid:
            confirmed = False
        if confirmed:
            return Answer(SAVE)
        return Invalid(N_("Reply \"ya\" to save or \"ubah\" to change an answer."))

    def _answer_review(self, turn: Turn, verdict: str | int) -> list[Reply]:
        if isinstance(verdict, int):
            return self.change(turn, verdict)
        if verdict == CHANGE:
            self._fire(turn, "pick")
            return [self.ask(turn)]
        self._fire(turn, "confirm")
        return self.complete(turn)

    def _pick_index(self, turn: Turn, text: str) -> int:
        return parse_choice(text, [turn.text(question.title) for question in self._counted(turn)])

def _read(parse: Callable[[str], Any], text: str) -> Answer | Invalid:
    try:
        return Answer(parse(text))
    except Invalid as rejection:
        return rejection


class _Cursor:
    """What the machine moves for one trigger; the step is copied back into the conversation state."""

    step: str


def fire(machine: Machine, turn: Turn, trigger: str, answers: Answers, **kwargs: Any) -> bool:
    """Attach the conversation's step to a flow's machine, fire one trigger, detach; whether it moved."""
    cursor = _Cursor()
    machine.add_model(cursor, initial=turn.state.step)
    try:
        moved = bool(cursor.trigger(trigger, answers, **kwargs))
    finally:
        machine.remove_model(cursor)
    turn.state.step = cursor.step
    return moved


def _label_if_numbered(text: str, number: int | None, labels: Sequence[str]) -> str:
    """A bare choice number (`number`, read from `text`) stands for its label, so every parser understands "1" for
    "Ya".

    A number beyond the list is passed on in ASCII digits ("٠" as "0"), for the parser to say which ones there are.
    """
    if number is None:
        return text
    return labels[number - 1] if 1 <= number <= len(labels) else ascii_digits(text)


def _narrowed(text: str, labels: Sequence[str], suggested: list[int] | None) -> str:
    """After "barito" offered three places, "timur" means the Barito one, not Kotawaringin Timur."""
    if not suggested:
        return text
    offered = [labels[index] for index in suggested if index < len(labels)]
    try:
        return offered[parse_choice(text, offered)]
    except Invalid:
        return text


def leave_flow(turn: Turn, name: str) -> None:
    """Drop a flow's answers and hand the conversation back to the menu."""
    turn.state.answers.pop(name, None)
    turn.state.flow, turn.state.step = MENU, START


def yes_no_labels(turn: Turn) -> list[str]:
    """A yes-or-no question's choices, as a Question's `choices`."""
    return [turn.text(N_("Yes")), turn.text(N_("No"))]


def yes_no_choices(turn: Turn) -> tuple[Choice, ...]:
    return numbered(yes_no_labels(turn))


def parse_yes_no_answer(text: str, _turn: Turn) -> bool:
    """A yes-or-no question's answer, as a Question's `parse`: the words, or the choice's number."""
    return parse_yes_no_choice(text)


# "Cancel and delete your answers?" answered in its own words: "hapus aja" is yes, "lanjut aja" no.
_CANCEL_SAID_BACK = {"hapus": True, "hapus semua": True, "hapus jawaban": True, "lanjut": False, "lanjutkan": False,
                     "lanjut daftar": False, "terus": False, "teruskan": False}


def _parse_cancel_answer(text: str) -> bool:
    said_back = _CANCEL_SAID_BACK.get(Said(text).bare)
    return parse_yes_no_choice(text) if said_back is None else said_back


def parse_yes_no_choice(text: str) -> bool:
    """Ya or tidak as typed, or as the number of its choice in `yes_no_choices` ("1" is ya, "2" tidak)."""
    number = choice_number(text)
    if number in (1, 2):
        return number == 1
    return parse_yes_no(text)


def _needs(question: Question, answers: Answers, **_: Any) -> bool:
    return question.applies(answers) and question.key not in answers


def _applies(question: Question, answers: Answers, **_: Any) -> bool:
    return question.applies(answers)


def _is_return(step: str, answers: Answers, **_: Any) -> bool:
    return answers.get(RETURN_TO) == step


def _is_key(step: str, _answers: Answers, key: str = "", **_: Any) -> bool:
    return key == step


def _declare_machine(questions: tuple[Question, ...], review: bool) -> Machine:
    """The flow's states and how each trigger moves between them; conditions pick the target."""
    keys = [question.key for question in questions]
    finish = REVIEW if review else DONE
    states = [START, *keys, CONFIRM_CANCEL, DONE] + ([REVIEW, PICK] if review else [])
    machine = Machine(model=None, states=states, initial=START, auto_transitions=False,
                      ignore_invalid_triggers=True, model_attribute="step")
    for position, source in enumerate([START, *keys]):
        # advance: the next question still to answer; when none is left, review or finish
        for question in questions[position:]:
            machine.add_transition("advance", source, question.key, conditions=partial(_needs, question))
        machine.add_transition("advance", source, finish)
    for position, source in enumerate([*keys, *([REVIEW] if review else [])]):
        # back: the nearest earlier question that applies to these answers
        for question in reversed(questions[:position]):
            machine.add_transition("back", source, question.key, conditions=partial(_applies, question))
    pausable = [*keys, *([REVIEW, PICK] if review else [])]
    machine.add_transition("cancel", pausable, CONFIRM_CANCEL)
    for step in pausable:
        machine.add_transition("resume", CONFIRM_CANCEL, step, conditions=partial(_is_return, step))
    if review:
        machine.add_transition("pick", REVIEW, PICK)
        machine.add_transition("back", PICK, REVIEW)
        machine.add_transition("confirm", REVIEW, DONE)
        for key in keys:
            machine.add_transition("edit", [REVIEW, PICK, *keys], key, conditions=partial(_is_key, key))
    return machine

"""The flow engine: machines declared once per flow class, nothing about an owner kept in memory."""

import copy
import json
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings

from flows.conversation import Conversations
from flows.correction import Correction
from flows.engine import Turn
from flows.erasure import Erasure
from flows.messages import Inbound
from flows.registration import Registration
from flows.router import respond
from hostile_input import NUMBER_SIGNS, WORDS, digits_shown, written_niks
from store.db import Database
from store.registry import ConversationState, Registry
from transcript import START, Chat, Clock


def test_each_flow_class_declares_its_machine_when_defined() -> None:
    assert "machine" in vars(Registration) and "machine" in vars(Erasure)
    assert Registration.machine is not Erasure.machine
    assert set(Registration.machine.states) >= {"start", "consent", "monthly_turnover", "review", "done"}


def test_no_owner_stays_attached_to_a_machine(database: Database) -> None:
    chat = Chat(Conversations(database, Clock()))
    for text in ["daftar", "ya", "Budi Santoso", "kembali", "batal", "tidak"]:
        chat.say(text)
    assert Registration.machine.models == [] and Erasure.machine.models == []


class _Step:
    step: str


def _move(trigger: str, step: str, answers: dict[str, object], **kwargs: object) -> str:
    cursor = _Step()
    Registration.machine.add_model(cursor, initial=step)
    try:
        cursor.trigger(trigger, answers, **kwargs)  # type: ignore[attr-defined]
    finally:
        Registration.machine.remove_model(cursor)
    return cursor.step


ALL_ANSWERED = {question.key: "x" for question in Registration.questions} | {"sector": "kuliner"}


@pytest.mark.parametrize(("trigger", "step", "answers", "kwargs", "lands_on"), [
    ("advance", "start", {}, {}, "consent"),
    ("advance", "nik", {"consent": "x", "owner_name": "x", "nik": "x"}, {}, "phone"),
    # the next question still open, skipping answered ones
    ("advance", "owner_name", {"consent": "x", "owner_name": "x", "nik": "x", "phone": "x"}, {}, "business_name"),
    # "Lainnya" brings its own question; any other sector skips it
    ("advance", "sector", {"sector": "lainnya"}, {}, "sector_note"),
    ("advance", "sector", {"sector": "kuliner"}, {}, "kabupaten_code"),
    ("advance", "monthly_turnover", ALL_ANSWERED, {}, "review"),
    ("back", "review", ALL_ANSWERED, {}, "monthly_turnover"),
    ("back", "kabupaten_code", {"sector": "kuliner"}, {}, "sector"),
    ("back", "kabupaten_code", {"sector": "lainnya"}, {}, "sector_note"),
    ("back", "consent", {}, {}, "consent"),
    ("edit", "review", ALL_ANSWERED, {"key": "nik"}, "nik"),
    ("resume", "confirm_cancel", {"_return_to": "address"}, {}, "address"),
    ("confirm", "review", ALL_ANSWERED, {}, "done"),
])
def test_where_each_trigger_leads(trigger: str, step: str, answers: dict[str, object],
                                  kwargs: dict[str, object], lands_on: str) -> None:
    assert _move(trigger, step, answers, **kwargs) == lands_on


def test_a_step_this_version_no_longer_has_picks_up_at_the_first_open_question(database: Database) -> None:
    with database.transaction() as registry:
        state = registry.open_conversation("terminal", "budi")
        state.flow, state.step = "registration", "favourite_colour"
        state.answers = {"registration": {"consent": "2026-11-27T02:00:00+00:00", "owner_name": "Budi"}}
        registry.save_conversation(state)
    chat = Chat(Conversations(database, Clock()))
    assert "Pertanyaan 2 dari 13" in chat.say("halo")
    assert "Pertanyaan 3 dari 13" in chat.say("6202054107900001")


# --- whole classes of hostile answers, at every question ------------------------------------

NIK = "6202054107900001"
# What an owner says to stand at each question with choices (and at the review, whose answers are numbered).
TO_THE_QUESTION = {
    "start": ["halo"],  # the menu
    "consent": ["daftar"],
    "sector": ["daftar", "ya", "Budi Santoso", NIK, "0812-3456-7890", "Warung Makan Bu Sari"],
}
TO_THE_QUESTION["kabupaten_code"] = [*TO_THE_QUESTION["sector"], "1"]
TO_THE_QUESTION["kecamatan_code"] = [*TO_THE_QUESTION["kabupaten_code"], "Kotim"]
TO_THE_QUESTION["nib"] = [*TO_THE_QUESTION["kecamatan_code"], "5", "Jl. Tjilik Riwut Km 5 No. 12, RT 03"]
TO_THE_QUESTION["review"] = [*TO_THE_QUESTION["nib"], "belum punya", "2019", "3", "15 juta", "3 juta"]


def _standing_at(database: Database, says: list[str]) -> ConversationState:
    chat = Chat(Conversations(database, Clock()))
    for text in says:
        chat.say(text)
    with database.transaction() as registry:
        return registry.open_conversation(chat.channel, chat.address)


def _answer(registry: Registry, state: ConversationState, text: str) -> tuple[list[str], ConversationState]:
    """The replies to `text` from where `state` stands, through everything a message meets; `state` is left as it was."""
    after = copy.deepcopy(state)
    replies = respond(Turn(after, Inbound("terminal", "budi", "m1", text), registry))
    return [reply.text for reply in replies], after


Outcome = tuple[list[str], str, str, object]  # the replies, and the flow, step and answers they leave


def _outcome(registry: Registry, state: ConversationState, text: str) -> Outcome:
    replies, after = _answer(registry, state, text)
    return replies, after.flow, after.step, after.answers


def _asked_again(outcome: Outcome, state: ConversationState) -> bool:
    return outcome[1:3] == (state.flow, state.step)


@pytest.mark.parametrize("step", TO_THE_QUESTION)
def test_every_number_sign_at_a_choice_is_the_digit_it_shows_or_asked_again(sqlite_database: Database,
                                                                             step: str) -> None:
    state = _standing_at(sqlite_database, TO_THE_QUESTION[step])
    assert state.step == step
    with sqlite_database.transaction(START) as registry:
        for sign in NUMBER_SIGNS:
            shown = digits_shown(sign)
            outcome = _outcome(registry, state, sign)  # were it to raise, the owner would read an apology
            if shown is None:
                assert _asked_again(outcome, state), f"U+{ord(sign):04X}"
            else:  # the choice its digits pick, or (where they pick none) asked again, with whatever reason
                typed = _outcome(registry, state, shown)
                assert outcome == typed or _asked_again(outcome, state) and _asked_again(typed, state), \
                    f"U+{ord(sign):04X}"


def _saved_and_correcting(database: Database) -> ConversationState:
    return _standing_at(database, [*TO_THE_QUESTION["review"], "ya", "ubah data"])


@pytest.mark.parametrize("standing_at", [lambda database: _standing_at(database, TO_THE_QUESTION["review"]),
                                         _saved_and_correcting], ids=["registration", "correction"])
def test_a_nik_typed_at_any_question_is_kept_only_as_the_nik_and_never_shown(
        database: Database, standing_at: Callable[[Database], ConversationState]) -> None:
    reviewing = standing_at(database)
    flow = {"registration": Registration, "correction": Correction}[reviewing.flow]
    assert reviewing.step == "review"
    answers = reviewing.answers[flow.name]
    answers |= {"sector": "lainnya", "sector_note": "sablon kaos"}  # so that its own free-text question is asked too
    asked = [question for question in flow.questions if question.applies(answers)]
    assert {"owner_name", "business_name", "sector_note", "address", "nik"} <= {question.key for question in asked}

    @settings(max_examples=20, deadline=None)
    @given(written=written_niks(), before=WORDS, after=WORDS)
    def typed_at_each_question(written: tuple[str, str], before: str, after: str) -> None:
        nik, typed = written
        for question in asked:  # "Budi" makes it a name, where a name is asked
            replies, answered = _answer(registry, replace(reviewing, step=question.key), f"Budi {before} {typed}{after}")
            assert not any(nik in re.sub(r"[\s.\-]", "", reply) for reply in replies), question.key
            kept = {key: value for key, value in answered.answers[flow.name].items() if key != "nik"}
            assert nik not in json.dumps(kept), question.key

    with database.transaction(START) as registry:
        typed_at_each_question()

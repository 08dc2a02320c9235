"""The flow engine: machines declared once per flow class, nothing about an owner kept in memory."""

import pytest

from flows.conversation import Conversations
from flows.erasure import Erasure
from flows.registration import Registration
from store.db import Database
from transcript import Chat, Clock


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

"""The flow engine: machines declared once per flow class, nothing about an owner kept in memory."""

from flows.conversation import Conversations
from flows.engine import QuestionFlow
from flows.erasure import Erasure
from flows.registration import Registration
from store.db import Database
from transcript import Chat, Clock


def test_each_flow_class_declares_one_machine() -> None:
    assert Registration.machine is Registration().machine
    assert Registration.machine is not Erasure.machine
    assert not hasattr(QuestionFlow, "machine")


def test_no_owner_stays_attached_to_a_machine(database: Database) -> None:
    chat = Chat(Conversations(database, Clock()))
    for text in ["daftar", "ya", "Budi Santoso", "kembali", "batal", "tidak"]:
        chat.say(text)
    assert Registration.machine.models == [] and Erasure.machine.models == []


def test_the_machine_knows_where_each_step_may_lead() -> None:
    machine = Registration.machine
    assert set(machine.get_triggers("nik")) >= {"advance", "back", "cancel"}
    assert set(machine.get_triggers("review")) >= {"back", "cancel", "pick", "edit"}
    assert "back" not in machine.get_triggers("start")


def test_a_step_this_version_no_longer_has_picks_up_at_the_first_open_question(database: Database) -> None:
    with database.transaction() as registry:
        state = registry.open_conversation("terminal", "budi")
        state.flow, state.step = "registration", "favourite_colour"
        state.answers = {"registration": {"consent": "2026-11-27T02:00:00+00:00", "owner_name": "Budi"}}
        registry.save_conversation(state, Clock()())
    chat = Chat(Conversations(database, Clock()))
    assert "Pertanyaan 2 dari 13" in chat.say("halo")
    assert "Pertanyaan 3 dari 13" in chat.say("6202054107900001")

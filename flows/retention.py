"""How long unfinished answers are kept: a registration, a correction or a self-assessment left half way may
hold a NIK, and is deleted once its conversation has not moved for UNFINISHED_KEPT.

The worker's housekeeping purges them (purge_unfinished); the conversation is put back at the menu with a
marker in its step, so the owner who returns is told, once, what happened (purged_notice).
"""

from datetime import timedelta

from domain.msgid import N_
from flows.assessment import Assessment
from flows.correction import Correction
from flows.engine import MENU, START, Turn
from flows.messages import Reply
from flows.registration import Registration
from store.registry import Registry

UNFINISHED_KEPT = timedelta(days=90)  # personal data is kept no longer than its purpose needs
PURGE_BATCH = 500  # conversations purged in one transaction
PURGED = "purged:"  # the step of a purged conversation: "purged:" and the flow whose answers went
# The flows whose answers are purged, in the order the owner is told of them (one notice, the first).
UNFINISHED = (Registration.name, Correction.name, Assessment.name)
_NOTICES = {
    Registration.name: N_("Your unfinished registration answers were deleted after %(days)s days, as the personal "
                          "data rules ask. Please start again with \"daftar\"."),
    Correction.name: N_("Your unfinished corrections were deleted after %(days)s days, as the personal data rules "
                        "ask. Your saved data is as it was; to correct it, type \"ubah data\"."),
    Assessment.name: N_("Your unfinished self-assessment answers were deleted after %(days)s days, as the personal "
                        "data rules ask. To take it again, type \"penilaian\"."),
}


def purge_unfinished(registry: Registry, limit: int = PURGE_BATCH) -> int:
    """Delete the unfinished answers of up to `limit` conversations idle for UNFINISHED_KEPT; how many were purged.

    Other flows' answers (an officer's draft announcement) stay; the conversation waits at the menu, marked.
    """
    idle_before = registry.now - UNFINISHED_KEPT
    purged = 0
    for conversation_id, answers in registry.idle_answers(UNFINISHED, idle_before, limit):
        first = next(name for name in UNFINISHED if name in answers)
        kept = {name: value for name, value in answers.items() if name not in UNFINISHED}
        purged += registry.replace_idle_state(conversation_id, idle_before, MENU, PURGED + first, kept)
    return purged


def purged_notice(turn: Turn) -> Reply | None:
    """What the owner is told, once, when they come back to a conversation whose unfinished answers were purged."""
    flow, step = turn.state.flow, turn.state.step
    if flow != MENU or not step.startswith(PURGED):
        return None
    turn.state.step = START
    notice = _NOTICES.get(step.removeprefix(PURGED))
    return Reply(turn.text(notice, days=UNFINISHED_KEPT.days)) if notice is not None else None

"""One owner across channels: a chat from a registered owner's verified phone number is theirs."""

from domain.msgid import N_
from flows.engine import MENU, START, Turn
from flows.messages import Reply
from flows.parsing import display_phone
from flows.registration import Registration

REGISTRATION = Registration.name


def recognise(turn: Turn) -> Reply | None:
    """Link an unlinked chat to the owner whose verified phone the channel vouches for; greet them.

    A registration of themselves begun in this chat is dropped: they are registered already.
    """
    phone = turn.inbound.verified_phone
    if turn.state.owner_id is not None or phone is None:
        return None
    owner = turn.registry.owner_with_verified_phone(phone)
    if owner is None:
        return None
    turn.state.owner_id, name = owner
    if turn.state.flow == REGISTRATION or turn.has_answers(REGISTRATION):
        turn.state.answers.pop(REGISTRATION, None)
        turn.state.flow, turn.state.step = MENU, START
    return Reply(turn.text(N_("Welcome, %(name)s! I recognised you by your phone number %(phone)s, the one you "
                              "registered with."), name=name, phone=display_phone(phone)))

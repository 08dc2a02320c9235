"""Deleting an owner's data on their request (UU PDP), after they confirm it, knowing which training places it
gives up."""

from dataclasses import replace

from domain.msgid import N_
from flows.engine import Question, QuestionFlow, Turn
from flows.messages import Reply
from flows.notices import give_up_places, place_held
from flows.parsing import parse_yes_no

KEPT = N_("All right, your data has not been deleted.")


def parse_confirmation(text: str, _turn: Turn) -> bool:
    return parse_yes_no(text)


class Erasure(QuestionFlow):
    """Delete everything the registry holds about this owner, keeping only that it happened."""

    name = "erasure"
    questions = (
        Question(
            "confirm",
            N_("Delete all your data: your name, NIK, phone number, your businesses and any "
               "unfinished registration? This cannot be undone. Reply \"ya\" or \"tidak\"."),
            parse_confirmation,
            N_("Reply \"ya\" to delete all your data from the registry for good, or \"tidak\" to keep it."),
            choices=lambda turn: [turn.text(N_("Yes, delete")), turn.text(N_("No"))],
            counted=False,
        ),
    )

    def ask(self, turn: Turn) -> Reply:
        """The confirmation, after the seats and waiting-list places that deleting would give up, if any."""
        asked = super().ask(turn)
        held = turn.registry.training.upcoming_of(turn.state.owner_id) if turn.state.owner_id is not None else []
        if not held:
            return asked
        t = turn.text
        lines = [t(N_("Deleting your data also gives up your places in training, for others to take:"))]
        lines += [f"- {session.programme_name}, {t.moment(session.starts_at)} ({place_held(session, t)})"
                  for session in held]
        return replace(asked, text="\n".join(lines) + "\n\n" + asked.text)

    def go_back(self, turn: Turn) -> list[Reply]:
        """Going back from the only question is not deleting."""
        self.leave(turn)
        return [Reply(turn.text(KEPT))]

    cancel = go_back  # "batal" here cancels the deletion, not the data

    def complete(self, turn: Turn) -> list[Reply]:
        """Erase the owner and every unfinished answer, or leave all as it was."""
        confirmed = turn.answers_of(self.name)["confirm"]
        self.leave(turn)
        if not confirmed:
            return [Reply(turn.text(KEPT))]
        turn.registry.questions.erase_asker(turn.state.id, turn.state.owner_id)
        if turn.state.owner_id is not None:
            give_up_places(turn.registry, turn.state.owner_id)
            turn.registry.erase_owner(turn.state.owner_id, actor="owner")
        turn.state.owner_id = None
        turn.state.answers.clear()
        return [Reply(turn.text(N_("Your data has been deleted from the registry. Thank you for "
                                   "having used this service.")))]

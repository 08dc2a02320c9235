"""Flows that start from our side: an evaluation the morning after a session, a survey the Dinas sends.

Their first question reaches the owner through the outbox; the owner's next message takes the follow-up up
(`take_up`): the conversation enters the follow-up's flow, remembering where it was, and the message is read as the
answer. At any question "nanti" puts it off (asked once more three days later) and "berhenti" or "batal" stops it;
either way, and at the end, the owner is back where they were.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from domain.msgid import N_
from domain.words import LATER, words_for
from flows.engine import MENU, START, Answer, QuestionFlow, Turn, leave_flow
from flows.i18n import Text
from flows.messages import Reply, numbered
from flows.notices import SessionPlace, where_and_when
from flows.utterance import Said
from store.follow_ups import FollowUpInfo, Kind

ASK_AGAIN_AFTER = timedelta(days=3)
FOLLOW_UP = "_follow_up"  # in the flow's answers: the follow-up being answered
SESSION = "_session"  # an evaluation's session
RESUME = "_resume"  # where the conversation was when the follow-up was taken up: [flow, step]
_LATER = "_later"  # what "nanti" reads as at any question
_LATER_WORDS = words_for(LATER)
_ANSWER_HOW = N_("(Reply \"nanti\" to answer another time, or \"berhenti\" if you do not want to answer.)")


class FollowUpFlow(QuestionFlow):
    """A flow an owner enters by answering a message from us; it knows its way back to where they were."""

    kind: ClassVar[Kind]

    def __init__(self, where_you_are: Callable[[Turn], list[Reply]]) -> None:
        self._where_you_are = where_you_are  # the router's: the owner's question again, or the menu

    def take_up(self, turn: Turn, follow_up: FollowUpInfo) -> None:
        """Enter the flow at its first question for the follow-up the owner's message answers."""
        turn.state.answers[self.name] = {FOLLOW_UP: follow_up.id, SESSION: follow_up.session_id,
                                         RESUME: [turn.state.flow, turn.state.step]}
        turn.registry.follow_ups.take_up(follow_up.id)
        turn.state.flow, turn.state.step = self.name, START
        self._fire(turn, "advance")

    # What the message from our side says before the first question; a session's follow-up fills it from the
    # session (`where_and_when`).
    intro: ClassVar[str]
    first_choices: ClassVar[tuple[str, ...]] = ()  # the first question's choices, as msgids

    @classmethod
    def invitation(cls, text: Text, session: SessionPlace | None) -> Reply:
        """The message from our side: why we write, the first question with its choices, how to put it off."""
        params = where_and_when(session, text) if session is not None else {}
        words = "\n\n".join((text(cls.intro, **params), text(str(cls.questions[0].prompt)), text(_ANSWER_HOW)))
        return Reply(words, numbered([text(label) for label in cls.first_choices]), language=text.language)

    def read(self, turn: Turn, text: str) -> Answer | Any:
        if turn.state.step in self._by_key and Said(text).bare in _LATER_WORDS:
            return Answer(_LATER)
        return super().read(turn, text)

    def keep(self, turn: Turn, value: Any) -> list[Reply]:
        if value == _LATER and turn.state.step in self._by_key:
            return self.put_off(turn)
        return super().keep(turn, value)

    def put_off(self, turn: Turn) -> list[Reply]:
        """"nanti": asked once more in three days, or, put off before, not again."""
        again = turn.registry.follow_ups.put_off(turn.answers[FOLLOW_UP], turn.now + ASK_AGAIN_AFTER)
        said = N_("All right, I will ask you again in three days.") if again else \
            N_("All right, I will not ask about this again.")
        return self.back(turn, [Reply(turn.text(said))])

    def stop(self, turn: Turn) -> list[Reply]:
        """"berhenti": this follow-up is not asked again; what was answered is kept."""
        turn.registry.follow_ups.stop(turn.answers[FOLLOW_UP])
        return self.back(turn, [Reply(turn.text(N_(
            "All right, I will not ask about this again. To stop announcements from the Dinas too, type "
            "\"berhenti pengumuman\".")))])

    def cancel(self, turn: Turn) -> list[Reply]:
        return self.stop(turn)

    def finish(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """The follow-up answered whole: said so, then back where the owner was."""
        turn.registry.follow_ups.finish(turn.answers[FOLLOW_UP])
        return self.back(turn, replies)

    def back(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """Leave the flow for where the owner was when they took it up; its question again, unless the menu."""
        flow, step = turn.answers.get(RESUME) or (MENU, START)
        leave_flow(turn, self.name)
        if flow == MENU:
            return replies
        turn.state.flow, turn.state.step = flow, step
        return [*replies, Reply(turn.text(N_("Now, back to where we were."))), *self._where_you_are(turn)]



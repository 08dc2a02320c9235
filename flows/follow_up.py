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
from flows.businesses import BUSINESS_ID
from flows.engine import MENU, START, Answer, Answers, QuestionFlow, Turn, leave_flow
from flows.i18n import Text
from flows.messages import Reply, numbered
from flows.notices import SessionPlace, where_and_when
from flows.utterance import Said
from store.follow_ups import FollowUpInfo, Kind

ASK_AGAIN_AFTER = timedelta(days=3)
FOLLOW_UP = "_follow_up"  # in the flow's answers: the follow-up being answered
SESSION = "_session"  # an evaluation's session; a survey's business is BUSINESS_ID
RESUME = "_resume"  # where the conversation was when the follow-up was taken up: [flow, step]
_LATER = "_later"  # what "nanti" reads as at any question
_LATER_WORDS = words_for(LATER)
SAMPLE_BUSINESS = N_("(the business's name)")  # in a preview of a survey, where each owner reads their business's
_ANSWER_HOW = N_("(Reply \"nanti\" to answer another time, or \"berhenti\" if you do not want to answer.)")


# What a follow-up is about, as its first message names it: a session (an evaluation), or a business by its name (a
# survey).
About = SessionPlace | str


def _named(about: About | None, text: Text) -> dict[str, str]:
    """The placeholders an intro fills from what it is about: a session's programme, when and place
    (`where_and_when`), or a business's name."""
    if about is None:
        return {}
    return {"business": about} if isinstance(about, str) else where_and_when(about, text)


class FollowUpFlow(QuestionFlow):
    """A flow an owner enters by answering a message from us; it knows its way back to where they were, and offers
    the next follow-up waiting for the owner (a survey's next business) before going there."""

    kind: ClassVar[Kind]

    def __init__(self, where_you_are: Callable[[Turn], list[Reply]],
                 flow_of: Callable[[str], "FollowUpFlow"]) -> None:
        self._where_you_are = where_you_are  # the router's: the owner's question again, or the menu
        self._flow_of = flow_of  # the router's: the flow of a follow-up's kind

    def take_up(self, turn: Turn, follow_up: FollowUpInfo) -> None:
        """Enter the flow at its first question for the follow-up the owner's message answers."""
        turn.state.answers[self.name] = {FOLLOW_UP: follow_up.id, SESSION: follow_up.session_id,
                                         BUSINESS_ID: follow_up.business_id,
                                         RESUME: [turn.state.flow, turn.state.step], **self.known(turn, follow_up)}
        turn.registry.follow_ups.take_up(follow_up.id)
        turn.state.flow, turn.state.step = self.name, START
        self._fire(turn, "advance")

    def known(self, turn: Turn, follow_up: FollowUpInfo) -> Answers:
        """What the flow knows before the first answer, beside the follow-up itself."""
        return {}

    # What the message from our side says before the first question, filled from what it is about (`_named`).
    intro: ClassVar[str]
    title: ClassVar[str]  # what it is, as officers choose and read it
    first_choices: ClassVar[tuple[str, ...]] = ()  # the first question's choices, as msgids

    @classmethod
    def invitation(cls, text: Text, about: About | None) -> Reply:
        """The message from our side: why we write, the first question with its choices, how to put it off."""
        first = cls.questions[0]
        asked = first.prompt if isinstance(first.prompt, str) else first.title  # a prompt chosen per turn: its title
        words = "\n\n".join((text(cls.intro, **_named(about, text)), text(asked), text(_ANSWER_HOW)))
        return Reply(words, numbered([text(label) for label in cls.first_choices]), language=text.language)

    def about(self, turn: Turn, follow_up: FollowUpInfo) -> About | None:
        """What a follow-up is about, as its invitation names it: its business, or its session as it is now."""
        if follow_up.business_name is not None:
            return follow_up.business_name
        if follow_up.session_id is None or turn.state.owner_id is None:
            return None
        return turn.registry.training.session(follow_up.session_id, turn.state.owner_id)

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
        """Leave the flow for where the owner was when they took it up: the next follow-up waiting for them is
        offered (their next message answers it); else their question again, unless the menu."""
        flow, step = turn.answers.get(RESUME) or (MENU, START)
        leave_flow(turn, self.name)
        turn.state.flow, turn.state.step = flow, step
        waiting = turn.registry.follow_ups.waiting(turn.state.owner_id) if turn.state.owner_id is not None else None
        if waiting is not None:
            follow_up = self._flow_of(waiting.kind)
            return [*replies, follow_up.invitation(turn.text, follow_up.about(turn, waiting))]
        if flow == MENU:
            return replies
        return [*replies, Reply(turn.text(N_("Now, back to where we were."))), *self._where_you_are(turn)]



"""Receiving announcements, asked on its own (UU 27/2022 asks for each purpose apart from the others).

The question is put at the end of registration, and once to an owner registered before it was asked:
the router starts this flow at the menu when `owes_an_answer`. The answer is kept as proof (when, which
text, what), as "berhenti" and "mulai" keep theirs, and it is the same consent they change later.
"""

import hashlib

from domain.msgid import N_
from flows.engine import Question, QuestionFlow, Turn, parse_yes_no_answer, yes_no_labels
from flows.messages import Reply

RECEIVE = "receive"
QUESTION = N_(
    "Do you want to receive announcements of programmes and training from the Dinas through this chat?\n\n"
    "The Dinas Koperasi dan UKM of the province and of your kabupaten or kota send them to the owners they concern, "
    "chosen by the place, kind, class and self-assessment of their business and the training they joined. This is "
    "based on your consent (UU No. 27 Tahun 2022) and holds until you change your mind. It is apart from your "
    "registration: if you say no, your registration stays as it is, and reminders of training you sign up for still "
    "come. At any time you can stop them by typing \"berhenti\", and start them again with \"mulai\"."
)


def text_version(turn: Turn) -> str:
    """Names the exact question the owner read: its language and a digest of its words."""
    shown = turn.text(QUESTION)
    return f"announcements-{turn.text.language}-{hashlib.sha256(shown.encode()).hexdigest()[:12]}"


def owes_an_answer(turn: Turn) -> bool:
    """Whether this chat's owner is registered and was never asked about announcements, nor said yes or no."""
    owner_id = turn.state.owner_id
    return owner_id is not None and turn.registry.announcements.owes_an_answer(owner_id)


class AnnouncementConsent(QuestionFlow):
    """One question: does the owner want announcements here; "ya" or "tidak" is kept, with proof."""

    name = "announcement_consent"
    questions = (
        Question(RECEIVE, QUESTION, parse_yes_no_answer,
                 N_("Reply \"ya\" to receive announcements of programmes and training in this chat, or \"tidak\". "
                    "Your registration stays as it is either way."),
                 choices=yes_no_labels, counted=False),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """Put the question; from now on it is not put again, whether it is answered or not."""
        if turn.state.owner_id is not None:
            turn.registry.announcements.asked(turn.state.owner_id)
        return super().start(turn)

    def cancel(self, turn: Turn) -> list[Reply]:
        """Nothing to throw away: "batal" leaves the question unanswered, and no announcement is sent."""
        self.leave(turn)
        return [Reply(turn.text(N_("All right, we send you no announcements for now. To receive them, type "
                                   "\"mulai\".")))]

    def complete(self, turn: Turn) -> list[Reply]:
        """Keep the answer as proof, and say what it means."""
        owner_id, value = turn.state.owner_id, turn.answers_of(self.name)[RECEIVE]
        self.leave(turn)
        if owner_id is None:  # their data was deleted meanwhile, from another chat: nobody to send to
            return []
        announcements = turn.registry.announcements
        (announcements.resume if value else announcements.stop)(owner_id, text_version(turn))
        if value:
            return [Reply(turn.text(N_("Thank you. You will receive announcements from the Dinas in this chat. To "
                                       "stop them at any time, type \"berhenti\".")))]
        return [Reply(turn.text(N_("All right, we will not send you announcements. Reminders of training you sign up "
                                   "for still come. If you change your mind, type \"mulai\".")))]


announcement_consent = AnnouncementConsent()

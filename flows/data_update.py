"""A survey's data update ("pemutakhiran data") of one business: is it still operating, then its workers, capital,
monthly turnover and NIB, asked and read as registration asks and reads them; the new figures are kept dated and
the class they give is told."""

from typing import Any

from domain.classes import BusinessClass
from domain.msgid import N_
from flows.businesses import BUSINESS_ID
from flows.engine import Answers, Question, Turn, parse_yes_no_choice, yes_no_labels
from flows.follow_up import FollowUpFlow
from flows.messages import Reply
from flows.registration import Registration
from flows.utterance import Said
from store.follow_ups import FollowUpInfo, Kind

BUSINESS_NAME = "_business_name"
_REGISTRATION_QUESTIONS = {question.key: question for question in Registration.questions}
# "Masih berjalan?" answered in its own words, beside ya and tidak.
_STILL_OPERATING = {"masih": True, "masih jalan": True, "masih berjalan": True, "masih buka": True, "jalan": True,
                    "buka": True, "still": True, "tutup": False, "sudah tutup": False, "udah tutup": False,
                    "sdh tutup": False, "sudah tidak": False, "udah nggak": False, "udah gak": False,
                    "bangkrut": False, "gulung tikar": False, "closed": False}


def parse_operating(text: str, _turn: Turn) -> bool:
    """Whether the business still operates: ya or tidak, or "masih" or "sudah tutup"."""
    said = _STILL_OPERATING.get(Said(text).bare)
    return parse_yes_no_choice(text) if said is None else said


class DataUpdate(FollowUpFlow):
    """Whether the business still operates; if it does, its figures now, in registration's own questions."""

    name = "data_update"
    kind = Kind.UPDATE
    title = N_("Data update (pemutakhiran data): still operating? workers, capital, turnover, NIB")
    intro = N_("The Dinas Koperasi dan UKM is bringing its records of %(business)s up to date. May I ask a few short "
               "questions? It takes two minutes.")
    first_choices = (N_("Yes"), N_("No"))
    questions = (
        Question("operating", N_("Is the business still operating?"), parse_operating,
                 N_("Reply \"ya\" if the business still operates, or \"tidak\" if it has stopped."),
                 choices=yes_no_labels),
        *(_REGISTRATION_QUESTIONS[key] for key in ("workers", "modal_usaha", "monthly_turnover", "nib")),
    )

    def known(self, turn: Turn, follow_up: FollowUpInfo) -> Answers:
        return {BUSINESS_NAME: follow_up.business_name}

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """A business that no longer operates is recorded so, and asked nothing more."""
        if question.key != "operating" or value:
            return None
        turn.registry.close_business(turn.answers[BUSINESS_ID])
        return self.finish(turn, [Reply(turn.text(N_(
            "Thank you for letting us know. I have recorded that %(business)s no longer operates. If you start a "
            "business again, type \"daftar\" to register it."), business=turn.answers[BUSINESS_NAME]))])

    def complete(self, turn: Turn) -> list[Reply]:
        """Keep the new figures (and the NIB, if the owner has one now) and tell the class they give."""
        answers = turn.answers
        business_id = answers[BUSINESS_ID]
        found = turn.registry.update_figures(business_id, modal_usaha=answers["modal_usaha"],
                                             monthly_turnover=answers["monthly_turnover"], workers=answers["workers"])
        if answers["nib"] is not None:
            turn.registry.give_nib(business_id, answers["nib"])
        return self.finish(turn, [Reply(turn.text(N_(
            "Thank you! The data of %(business)s is up to date. With its capital and turnover it is now a %(label)s. "
            "Type \"data saya\" to see it."), business=answers[BUSINESS_NAME],
            label=turn.text(BusinessClass(found).label)))])

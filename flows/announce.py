"""Announcements: an officer writes one, picks who gets it, sees how many it reaches and how it reads, and
sends it; "laporan" tells what became of them. Owners stop and restart them with "berhenti" and "mulai".

An officer is recognised afresh on every message, so one removed half way sends nothing. Their scope
is also a condition of the store's query: a kabupaten officer reaches nobody outside their
kabupaten, whatever they type.
"""

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from domain.assessment import Level
from domain.channels import PUSH_CHANNELS
from domain.classes import UMKM_CLASSES, BusinessClass
from domain.invalid import Invalid
from domain.msgid import N_
from domain.places import parse_kabupaten
from domain.regions import region
from domain.text import clean
from flows.engine import Answers, Question, QuestionFlow, Turn
from flows.erasure import parse_confirmation
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.messages import Reply
from flows.notices import announcement_text
from flows.parsing import parse_choice
from flows.places import kabupaten_labels, parse_business_kabupaten, show_place
from flows.sectors import parse_sector, sector_labels, sector_words, show_sector
from store.announcements import Reach, Report, Segment
from store.officers import PROVINCE, OfficerInfo
from store.registry import Registry

MAX_ANNOUNCEMENT = 1000
# The words an owner answers "berhenti" or "mulai" to: the footer every announcement ends with.
CONSENT_VERSION = "announcements-2026-11"
REPORTED = 5  # announcements "laporan" lists
SHORT_START = 60  # characters of an announcement's text shown in the list
TEXT, AUDIENCE, CONFIRM = "text", "audience", "confirm"
EVERYONE = "everyone"
# Who an announcement can be for: everyone in the officer's scope, or one condition, named as Segment's field.
AUDIENCES = {
    EVERYONE: N_("Everyone in %(place)s"),
    "kabupaten": N_("One kabupaten or kota"),
    "sector": N_("One kind of business"),
    "business_class": N_("One business class (micro, small, medium)"),
    "programme_id": N_("Participants of a training programme"),
    "level": N_("One self-assessment level"),
}
CONDITIONS = tuple(key for key in AUDIENCES if key != EVERYONE)
_SPARE_LINES = re.compile(r"\n{3,}")


def _officer(turn: Turn) -> OfficerInfo:
    officer = turn.officer
    if officer is None:  # the router lets only active officers in
        raise LookupError("announcing needs an active officer")
    return officer


def scope_name(scope: str, text: Text) -> str:
    return text(N_("all of Kalimantan Tengah")) if scope == PROVINCE else region(scope).name


# -- reading and showing the answers -------------------------------------------------------------

def parse_announcement(_text: str, turn: Turn) -> str:
    """The officer's words as typed, paragraphs and all (the router's cleaning makes one line of them)."""
    return tidy_announcement(turn.inbound.text)


def tidy_announcement(typed: str) -> str:
    """An announcement's words, each line cleaned and no more than one blank line in a row; Invalid if too long."""
    lines = "\n".join(clean(line) for line in typed.splitlines())
    words = _SPARE_LINES.sub("\n\n", lines).strip()
    if len(words) > MAX_ANNOUNCEMENT:
        raise Invalid(N_("That is too long: at most %(limit)s characters, please."), limit=MAX_ANNOUNCEMENT)
    return words


def programmes_in(registry: Registry, scope: str) -> list[tuple[int, str]]:
    """The programmes whose participants an officer of `scope` may announce to: (id, name)."""
    return registry.training.open_in(None if scope == PROVINCE else scope)


def audiences(registry: Registry, officer: OfficerInfo, text: Text) -> list[tuple[str, str]]:
    """The groups this officer may choose, with their words: a kabupaten only for the province's officers."""
    offered = [key for key in AUDIENCES if (key != "kabupaten" or officer.provincial)
               and (key != "programme_id" or programmes_in(registry, officer.scope))]
    place = scope_name(officer.scope, text)
    return [(key, text(AUDIENCES[key], place=place)) for key in offered]


def _audiences(turn: Turn) -> list[tuple[str, str]]:
    return audiences(turn.registry, _officer(turn), turn.text)


def audience_labels(turn: Turn) -> list[str]:
    return [label for _key, label in _audiences(turn)]


def parse_audience(text: str, turn: Turn) -> str:
    """A group by number or words; a kabupaten officer naming a kabupaten is told where they may announce."""
    offered = _audiences(turn)
    try:
        return offered[parse_choice(text, [label for _key, label in offered])][0]
    except Invalid:
        scope = _officer(turn).scope
        named = _kabupaten_named(text)
        if scope == PROVINCE or named is None:
            raise
        if named == scope:
            return EVERYONE
        raise Invalid(N_("You can announce to owners in %(place)s only. Choose who there should get it."),
                      place=region(scope).name) from None


def _kabupaten_named(text: str) -> str | None:
    if any(char.isdigit() for char in text):  # a number is a choice, never a place
        return None
    try:
        return parse_kabupaten(text).code
    except Invalid:
        return None


def _option_labels(options: Sequence[BusinessClass | Level], turn: Turn) -> list[str]:
    return [turn.text(option.label) for option in options]


def _parse_option(options: Sequence[BusinessClass | Level], text: str, turn: Turn) -> str:
    return options[parse_choice(text, _option_labels(options, turn))].value


def option_words(kind: type[BusinessClass] | type[Level], value: str, text: Text) -> str:
    """A business class or self-assessment level in words; a value no longer known, as it is."""
    try:
        return text(kind(value).label)
    except ValueError:
        return value


def _show_option(kind: type[BusinessClass] | type[Level], value: str, turn: Turn) -> str:
    return option_words(kind, value, turn.text)


def programme_labels(turn: Turn) -> list[str]:
    return [name for _id, name in programmes_in(turn.registry, _officer(turn).scope)]


def parse_programme(text: str, turn: Turn) -> int:
    shown = programmes_in(turn.registry, _officer(turn).scope)
    return shown[parse_choice(text, [name for _id, name in shown])][0]


def show_programme(programme_id: int, turn: Turn) -> str:
    return _programme_name(turn.registry, programme_id)


def _programme_name(registry: Registry, programme_id: int) -> str:
    programme = registry.training.programme(programme_id)
    return programme.name if programme is not None else f"#{programme_id}"


def _chose(audience: str, answers: Answers) -> bool:
    return answers.get(AUDIENCE) == audience


# -- who it reaches, in words ----------------------------------------------------------------------

def describe(segment: Segment, registry: Registry, text: Text) -> str:
    """Who an announcement is for: "owners in Kabupaten Kapuas with a business of the kind …".

    Each condition's value reads as the chat shows that answer (sector_words, option_words, _programme_name).
    """
    place = region(segment.kabupaten).name if segment.kabupaten else scope_name(segment.scope, text)
    if segment.sector is not None:
        return text(N_("owners in %(place)s with a business of the kind %(value)s"), place=place,
                    value=sector_words(segment.sector, text))
    if segment.business_class is not None:
        return text(N_("owners in %(place)s with a %(value)s"), place=place,
                    value=option_words(BusinessClass, segment.business_class, text))
    if segment.programme_id is not None:
        return text(N_("participants of %(value)s in %(place)s"), place=place,
                    value=_programme_name(registry, segment.programme_id))
    if segment.level is not None:
        return text(N_("owners in %(place)s at the self-assessment level %(value)s"), place=place,
                    value=option_words(Level, segment.level, text))
    return text(N_("every owner in %(place)s"), place=place)


def left_out_reasons(reach: Reach, text: Text, cancelled: int = 0) -> list[str]:
    """Who was chosen but is not written to, one reason each: "2 who blocked the bot"; none left out, none."""
    return [text(msgid, count=text.number(count)) for count, msgid in (
        (reach.stopped, N_("%(count)s who said no to announcements or \"berhenti\"")),
        (reach.not_asked, N_("%(count)s not yet asked whether they want announcements, or who did not answer")),
        (reach.blocked, N_("%(count)s who blocked the bot")),
        (reach.no_chat, N_("%(count)s who only chatted in the browser or terminal, where we cannot write first")),
        (cancelled, N_("%(count)s who said \"berhenti\" or deleted their data before it went")),
    ) if count]


def _left_out(reach: Reach, text: Text, cancelled: int = 0) -> list[str]:
    reasons = left_out_reasons(reach, text, cancelled)
    return [text(N_("Left out: %(reasons)s."), reasons=text.join(reasons))] if reasons else []


def segment_of(scope: str, audience: str, choice: str | int | None) -> Segment:
    """The segment an officer of `scope` chose: everyone there, or those meeting one condition (AUDIENCES)."""
    return Segment(scope, **({} if audience == EVERYONE else {audience: choice}))


def _segment(turn: Turn) -> Segment:
    answers = turn.answers_of(Announce.name)
    audience = answers[AUDIENCE]
    return segment_of(_officer(turn).scope, audience, answers.get(audience))


def _reach(turn: Turn) -> Reach:
    return turn.registry.announcements.reach(_segment(turn), PUSH_CHANNELS)


def _preview(turn: Turn) -> dict[str, object]:
    """The reach and the announcement as owners will read it (nearly all of them in Bahasa Indonesia)."""
    t, reach = turn.text, _reach(turn)
    reached = t(N_("This announcement reaches %(count)s owners: %(audience)s."), count=t.number(reach.recipients),
                audience=describe(_segment(turn), turn.registry, t))
    return {"reach": "\n".join([reached, *_left_out(reach, t)]),
            "preview": announcement_text(turn.answers_of(Announce.name)[TEXT], DEFAULT_LANGUAGE, _officer(turn).scope)}


class Announce(QuestionFlow):
    """An officer's announcement: the text, who gets it, the reach and preview, then "ya" queues it."""

    name = "announce"
    questions = (
        Question(TEXT, N_("Type the announcement, as owners should read it (at most 1000 characters). Above it they "
                          "will see that it comes from the Dinas, and below it how to stop announcements."),
                 parse_announcement, N_("Write the whole announcement in one message: what, when, where, and whom "
                                        "to contact. Next you choose who gets it, and see it before it is sent."),
                 counted=False),
        Question(AUDIENCE, N_("Who should get it?"), parse_audience,
                 N_("Reply with a number. Only owners who can be written to on Telegram or WhatsApp receive it."),
                 choices=audience_labels, clears=CONDITIONS, counted=False),
        Question("kabupaten", N_("Owners in which kabupaten or kota?"), parse_business_kabupaten,
                 N_("Reply with a number or a name, such as \"Kotim\" or \"Sampit\"."), choices=kabupaten_labels,
                 applies=partial(_chose, "kabupaten"), show=show_place, counted=False),
        Question("sector", N_("Owners of which kind of business?"), parse_sector,
                 N_("Reply with a number, or a word such as \"kuliner\"."), choices=sector_labels,
                 applies=partial(_chose, "sector"), show=show_sector, counted=False),
        Question("business_class", N_("Owners of which business class?"), partial(_parse_option, UMKM_CLASSES),
                 N_("The class is computed from each business's capital and turnover. Reply with a number."),
                 choices=partial(_option_labels, UMKM_CLASSES), applies=partial(_chose, "business_class"),
                 show=partial(_show_option, BusinessClass), counted=False),
        Question("programme_id", N_("The participants of which programme? Those registered, on the waiting list "
                                    "or who attended all get it."), parse_programme,
                 N_("Reply with the number of a programme."), choices=programme_labels,
                 applies=partial(_chose, "programme_id"), show=show_programme, counted=False),
        Question("level", N_("Owners whose latest self-assessment is at which level?"), partial(_parse_option, tuple(Level)),
                 N_("Each business counts with its latest self-assessment. Reply with a number."),
                 choices=partial(_option_labels, tuple(Level)), applies=partial(_chose, "level"),
                 show=partial(_show_option, Level), counted=False),
        Question(CONFIRM, N_("%(reach)s\n\nOwners will read it like this:\n\n%(preview)s\n\nSend it? Reply \"ya\" to "
                             "send it, or \"tidak\" to choose other recipients."), parse_confirmation,
                 N_("\"ya\" queues the announcement for every owner counted above; it goes out within minutes. "
                    "\"tidak\" sends nothing and lets you choose other recipients."),
                 choices=lambda turn: [turn.text(N_("Yes, send it")), turn.text(N_("No"))], prompt_params=_preview,
                 counted=False),
    )
    cancel_prompt = N_("Drop this announcement? Nothing has been sent yet.")
    cancelled_message = N_("The announcement has been dropped; nothing was sent.")

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Once it is clear who gets it: if nobody can be reached, say so and ask again."""
        chosen = question.key in CONDITIONS or (question.key == AUDIENCE and value == EVERYONE)
        if chosen and not _reach(turn).recipients:
            return self._nobody(turn)
        return None

    def complete(self, turn: Turn) -> list[Reply]:
        """"ya" queues one message per owner reached, counted again now; "tidak" asks who else."""
        answers = turn.answers_of(self.name)
        if not answers[CONFIRM]:
            return self._choose_again(turn, turn.text(N_("All right, nothing was sent. Choose other recipients, or "
                                                         "type \"batal\" to drop the announcement.")))
        if not _reach(turn).recipients:  # everyone chosen stopped announcements meanwhile
            return self._nobody(turn)
        officer = _officer(turn)
        number, reach = turn.registry.announcements.announce(answers[TEXT], _segment(turn), PUSH_CHANNELS,
                                                             author=officer.name, officer_id=officer.id)
        self.leave(turn)
        t = turn.text
        return [Reply(t(N_("Announcement number %(number)s is queued for %(count)s owners and goes out within "
                           "minutes. Type \"laporan\" to see how many have received it."),
                        number=number, count=t.number(reach.recipients)))]

    def _nobody(self, turn: Turn) -> list[Reply]:
        t, reach = turn.text, _reach(turn)
        said = t(N_("Nobody can be reached this way: %(audience)s."),
                 audience=describe(_segment(turn), turn.registry, t))
        return self._choose_again(turn, "\n".join([said, *_left_out(reach, t)]))

    def _choose_again(self, turn: Turn, said: str) -> list[Reply]:
        """Forget who it was for, keep the words, and ask who should get it."""
        answers = turn.answers_of(self.name)
        for key in (CONFIRM, AUDIENCE, *CONDITIONS):
            answers.pop(key, None)
        return [Reply(said), *self.start(turn)]


# -- "laporan" ---------------------------------------------------------------------------------------

def show_reports(turn: Turn, number: int | None = None) -> Reply:
    """The latest announcements in the officer's scope, or one of them by its number, with what became of it."""
    t, scope = turn.text, _officer(turn).scope
    place = scope_name(scope, t)
    if number is not None:
        report = turn.registry.announcements.report(number, scope)
        if report is None:
            return Reply(t(N_("There is no announcement number %(number)s in %(place)s. Type \"laporan\" for the "
                              "latest ones."), number=number, place=place))
        return Reply("\n".join(_report_lines(report, turn, whole=True)))
    reports = turn.registry.announcements.recent(scope, REPORTED)
    if not reports:
        return Reply(t(N_("No announcements have been sent in %(place)s yet. Type \"umumkan\" to write one."),
                       place=place))
    lines = [t(N_("The latest announcements in %(place)s:"), place=place)]
    for report in reports:
        lines += ["", *_report_lines(report, turn, whole=False)]
    lines += ["", t(N_("Type \"laporan\" and a number to see one whole, for example \"laporan %(number)s\"."),
                    number=reports[0].id)]
    return Reply("\n".join(lines))


def _report_lines(report: Report, turn: Turn, *, whole: bool) -> list[str]:
    t = turn.text
    words = report.text if whole else _start_of(report.text)
    left_out = report.reach.chosen - report.reach.recipients + report.cancelled
    lines = [t(N_("Number %(number)s, %(when)s, by %(author)s"), number=report.id, when=t.moment(report.created_at),
               author=report.author),
             f"\"{words}\"",
             t(N_("For: %(audience)s"), audience=describe(report.segment, turn.registry, t)),
             t(N_("Sent %(sent)s, delivered %(delivered)s, failed %(failed)s, waiting %(waiting)s, left out "
                  "%(left_out)s."), sent=t.number(report.sent), delivered=t.number(report.delivered),
               failed=t.number(report.failed), waiting=t.number(report.waiting), left_out=t.number(left_out))]
    return [*lines, *_left_out(report.reach, t, report.cancelled)] if whole else lines


def _start_of(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) <= SHORT_START:
        return one_line
    return one_line[:SHORT_START].rsplit(" ", 1)[0].rstrip(",;:") + "…"  # whole words only


# -- "berhenti" and "mulai" --------------------------------------------------------------------------

_ANSWERED = {  # (receive, changed): what the owner is told
    (False, True): N_("Done: you will receive no more announcements from the Dinas. Everything else works as "
                      "before. To receive them again, type \"mulai\"."),
    (False, False): N_("Announcements are already stopped for you. To receive them again, type \"mulai\"."),
    (True, True): N_("Done: you will receive announcements from the Dinas. To stop them, type \"berhenti\"."),
    (True, False): N_("You already receive announcements from the Dinas. To stop them, type \"berhenti\"."),
}


def answer_announcements(turn: Turn, *, receive: bool) -> Reply:
    """"berhenti" (receive False) or "mulai": keep the owner's answer, with proof, and say what it means."""
    if turn.state.owner_id is None:
        return Reply(turn.text(N_("Announcements go to registered owners, and we have no registration of yours, so "
                                  "you receive none. To register your business, type \"daftar\".")))
    announcements = turn.registry.announcements
    answer = announcements.resume if receive else announcements.stop
    return Reply(turn.text(_ANSWERED[receive, answer(turn.state.owner_id, CONSENT_VERSION)]))

"""The main menu: what an owner can do from here, built from where they stand."""

from collections.abc import Callable
from dataclasses import dataclass

from domain.invalid import Invalid
from domain.msgid import N_
from flows.announce import Announce, show_reports
from flows.announcement_consent import announcement_consent, owes_an_answer
from flows.assessment import Assessment
from flows.correction import Correction
from flows.engine import MENU, START, Turn
from flows.erasure import Erasure
from flows.login import send_login_link
from flows.messages import IDENTITY, Reply, numbered
from flows.parsing import parse_choice
from flows.profile import show_profile
from flows.programmes import Programmes
from flows.registration import Registration

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # each in its own language
registration = Registration()
correction = Correction()
erasure = Erasure()
assessment = Assessment()
programmes = Programmes()
announcing = Announce()


@dataclass(frozen=True)
class MenuItem:
    label: str  # translated words on the button
    act: Callable[[Turn], list[Reply]]


def _registration_item(turn: Turn) -> MenuItem:
    answered, total = registration.progress(turn)
    if turn.has_answers(registration.name):
        label = turn.text(N_("Continue my registration (%(answered)s of %(total)s answered)"),
                          answered=answered, total=total)
    elif turn.state.owner_id is not None:
        label = turn.text(N_("Register another business"))
    else:
        label = turn.text(N_("Register my business"))
    return MenuItem(label, registration.start)


def _assessment_item(turn: Turn) -> MenuItem:
    if turn.has_answers(assessment.name):
        answered, total = assessment.progress(turn)
        return MenuItem(turn.text(N_("Continue the self-assessment (%(answered)s of %(total)s answered)"),
                                  answered=answered, total=total), assessment.start)
    return MenuItem(turn.text(N_("Self-assessment of my business")), assessment.start)


def _items(turn: Turn) -> list[MenuItem]:
    items = [_registration_item(turn)]
    registered = turn.state.owner_id is not None
    if registered:
        items += [_assessment_item(turn), MenuItem(turn.text(N_("Training programmes")), programmes.start),
                  MenuItem(turn.text(N_("My training schedule")), programmes.start_schedule)]
    holds_data = registered or any(turn.state.answers.values())
    if holds_data:
        items.append(MenuItem(turn.text(N_("My data")), lambda turn: [show_profile(turn), show_menu(turn)]))
    if registered:
        items.append(MenuItem(turn.text(N_("Correct my data")), correction.start))
    if holds_data:
        items.append(MenuItem(turn.text(N_("Delete my data")), erasure.start))
    if turn.officer is not None:
        items += [MenuItem(turn.text(N_("Write an announcement (umumkan)")), announcing.start),
                  MenuItem(turn.text(N_("Announcement reports (laporan)")),
                           lambda turn: [show_reports(turn), show_menu(turn)]),
                  MenuItem(turn.text(N_("Log in to the dashboard (masuk)")),
                           lambda turn: [send_login_link(turn), show_menu(turn)])]
    other = "en" if turn.text.language == "id" else "id"
    items.append(MenuItem(LANGUAGE_NAMES[other], lambda turn: [*switch_language(turn, other), show_menu(turn)]))
    items.append(MenuItem(turn.text(N_("Help")), lambda turn: [general_help(turn), show_menu(turn)]))
    return items


def show_menu(turn: Turn) -> Reply:
    """The main menu as choices; a chat not known to be a registered owner's may share its number.

    A registered owner never asked about announcements is asked once, where the menu would come.
    """
    if owes_an_answer(turn):
        return announcement_consent.start(turn)[-1]
    turn.state.flow, turn.state.step = MENU, START
    unknown = turn.state.owner_id is None and turn.inbound.verified_phone is None
    return Reply(turn.text(N_("Main menu. What would you like to do?")), numbered([item.label for item in _items(turn)]),
                 expects=IDENTITY if unknown else None)


def menu_labels(turn: Turn) -> list[str]:
    """The menu's choices as they read where the owner stands."""
    return [item.label for item in _items(turn)]


def choose(turn: Turn, text: str) -> list[Reply]:
    """Act on a menu choice given by number or by name."""
    items = _items(turn)
    try:
        index = parse_choice(text, [item.label for item in items])
    except Invalid:
        return [Reply(turn.text(N_("Sorry, I did not understand that. Reply with a number from the menu."))),
                show_menu(turn)]
    return items[index].act(turn)


def switch_language(turn: Turn, language: str) -> list[Reply]:
    turn.switch_language(language)
    return [Reply(turn.text(N_("All right, from now on I will write in %(language)s."), language=LANGUAGE_NAMES[language]))]


def general_help(turn: Turn) -> Reply:
    """The words understood everywhere; an officer's own words too, for an active officer."""
    words = turn.text(N_(
        "This is TABE, the chat service of the Dinas Koperasi dan UKM Provinsi Kalimantan Tengah "
        "for registering your business. Words you can type at any time:\n"
        "menu: the main menu\nkembali: the previous question\nbatal: cancel what you are doing\n"
        "bantuan: help for the current question\ndata saya: see your data\nubah data: correct your data\n"
        "hapus data saya: delete your data\nberhenti / mulai: stop or restart announcements from the Dinas\n"
        "bahasa en / bahasa id: English or Bahasa Indonesia"))
    if turn.officer is None:
        return Reply(words)
    return Reply(words + "\n\n" + turn.text(N_(
        "As an officer of the Dinas you can also type:\n"
        "umumkan: write an announcement to owners\nlaporan: what became of the latest announcements\n"
        "laporan N: announcement number N in full\nbatalkan N: cancel announcement N before the time it is to go\n"
        "masuk: a link to log in to the dashboard")))

"""Training programmes: browse those open to the owner, read one, sign up, wait for a seat, and "jadwal".

Browsing has no answers to lose, so "batal" simply leaves and "kembali" steps back one screen.
Whatever the owner saw is kept by id in the conversation, so "2" means the second thing shown
even if the list changed since; seats are checked again, under the session's lock, when taken.
No screen is a dead end: the list says what else exists and why it is closed to the owner, a
seat is taken only after the owner has read the session and said "ya", and a text that is not
an answer here gets a short reason and the choices, not the whole screen again.
"""

from functools import partial
from typing import Any

from transitions import Machine

from domain.assessment import Dimension
from domain.classes import BusinessClass
from domain.invalid import Invalid
from domain.msgid import N_
from domain.places import names_exactly
from domain.regions import region
from domain.wib import in_wib
from flows.engine import START, Answers, Suggest, Turn, fire, leave_flow, parse_yes_no_choice, yes_no_choices
from flows.i18n import Text
from flows.messages import Choice, Reply, numbered
from flows.notices import elsewhere, place_held, tell_seat_given, where_and_when
from flows.parsing import parse_choice
from flows.registration import NOTHING_REGISTERED, TRAINING_NEEDS_REGISTERING
from store.training import Closed, ClosedCount, SessionInfo, SignUp, Status

LIST = "list"
DETAIL = "detail"
CONFIRM = "confirm"  # the session chosen, its seat asked for once the owner says "ya"
WAITLIST = "waitlist"
SCHEDULE = "schedule"
WITHDRAW = "withdraw"
YES_NO_STEPS = (CONFIRM, WAITLIST, WITHDRAW)
NEXT, PREVIOUS = "next", "previous"  # what `read` gives for a page move on the list
PAGE_SIZE = 5
NEAR_SHOWN = 5  # other sessions in the owner's kabupaten listed under "jadwal"
# What answers a yes-or-no question in its own words, where elsewhere the same words are commands: to "Daftar di
# sesi ini?", "daftar" is yes (not registering a business); to "Batalkan …?", "batal" is yes.
SAID_BACK = {
    CONFIRM: {"daftar": True, "daftarkan": True, "ikut": True},
    WAITLIST: {"masuk": True, "ikut": True, "tunggu": True},
    WITHDRAW: {"batal": True, "batalkan": True, "batalin": True},  # "gak jadi" is a no as every "gak …" is
}
# Words around the name of what is picked: "mau ikut yg nib", "yang di sampit", "batalin yg nib".
PICKING_WORDS = frozenset({"yg", "yang", "mau", "ikut", "pilih", "ambil", "daftar", "batal", "batalin", "batalkan",
                           "di", "saya", "sy", "aku", "ulun", "nomor", "no", "aja", "saja", "deh", "dong", "kak"})
SIGNING_UP = frozenset({"daftar", "daftarkan", "ikut", "gabung"})  # "daftar" at a programme: to one of its sessions
NEXT_WORDS = frozenset({"lagi", "berikutnya", "selanjutnya", "lanjut", "next", "more", ">"})
PREVIOUS_WORDS = frozenset({"sebelumnya", "previous", "prev", "<"})


def _came_from(step: str, answers: Answers, **_: Any) -> bool:
    return answers.get("from") == step


def _declare_machine() -> Machine:
    machine = Machine(model=None, states=[START, LIST, DETAIL, CONFIRM, WAITLIST, SCHEDULE, WITHDRAW], initial=START,
                      auto_transitions=False, ignore_invalid_triggers=True, model_attribute="step")
    machine.add_transition("browse", "*", LIST)
    machine.add_transition("schedule", "*", SCHEDULE)
    machine.add_transition("open", [LIST, START], DETAIL)
    machine.add_transition("confirm", DETAIL, CONFIRM)
    machine.add_transition("full", [DETAIL, CONFIRM], WAITLIST)
    machine.add_transition("withdraw", [DETAIL, SCHEDULE], WITHDRAW)
    machine.add_transition("back", DETAIL, LIST)
    machine.add_transition("back", [CONFIRM, WAITLIST], DETAIL)
    for origin in (DETAIL, SCHEDULE):
        machine.add_transition("back", WITHDRAW, origin, conditions=partial(_came_from, origin))
    return machine


def show_when(session: SessionInfo, text: Text) -> str:
    """"Selasa, 3 Februari 2027 pukul 09.00 WIB", and until when."""
    starts, ends = in_wib(session.starts_at), in_wib(session.ends_at)
    if starts.date() == ends.date():
        return text(N_("%(date)s, %(start)s-%(end)s WIB"), date=text.date(starts.date()), start=text.time(starts),
                    end=text.time(ends))
    return text(N_("%(start)s until %(end)s"), start=text.moment(starts), end=text.moment(ends))


def _place(session: SessionInfo) -> str:
    return f"{session.place}, {region(session.kabupaten_code).name}"


def _seats(session: SessionInfo, turn: Turn) -> str:
    """The owner's place in the session, or what is left of it."""
    t = turn.text
    if session.status is not None:
        return place_held(session, t)
    if session.signup_deadline < turn.now:
        return t(N_("sign-up closed"))
    if session.seats_left == 0:
        return t(N_("full, %(count)s on the waiting list"), count=session.waitlisted)
    return t(N_("%(count)s seats left, sign up by %(date)s"), count=session.seats_left,
             date=t.date(in_wib(session.signup_deadline).date()))


_MARKS = {Status.REGISTERED: N_("✓ registered"), Status.WAITLISTED: N_("waiting list")}
_CLASSES = {BusinessClass.MIKRO: N_("micro businesses"), BusinessClass.KECIL: N_("small businesses"),
            BusinessClass.MENENGAH: N_("medium businesses")}  # the classes a programme may be for


def closed_line(closed: list[ClosedCount], text: Text) -> str | None:
    """"3 program lain tidak terbuka untuk usaha Anda: 2 untuk kabupaten lain, 1 untuk usaha kecil.", or None."""
    if not closed:
        return None
    reasons = []
    for counted in closed:
        if counted.reason is Closed.CLASS:
            classes = text.join([text(_CLASSES[BusinessClass(code)]) for code in counted.classes])
            reasons.append(text(N_("%(count)s for %(classes)s"), count=counted.count, classes=classes))
        elif counted.reason is Closed.KABUPATEN:
            reasons.append(text(N_("%(count)s for other kabupaten"), count=counted.count))
        else:
            reasons.append(text(N_("%(count)s for other kinds of business"), count=counted.count))
    return text(N_("%(count)s other programmes are not open to your business: %(reasons)s."),
                count=sum(counted.count for counted in closed), reasons=", ".join(reasons))


class Programmes:
    """Browse the programmes open to a registered owner, sign up and cancel; and the owner's schedule."""

    name = "programmes"
    machine = _declare_machine()

    # -- entering ------------------------------------------------------------------------

    def start(self, turn: Turn) -> list[Reply]:
        """Show the first page of programmes open to the owner."""
        refused = self._enter(turn)
        if refused:
            return refused
        self._fire(turn, "browse")
        return self._show_page(turn, 0)

    def start_schedule(self, turn: Turn) -> list[Reply]:
        """Show the owner's upcoming sessions, and others in their kabupaten."""
        refused = self._enter(turn)
        if refused:
            return refused
        self._fire(turn, "schedule")
        reply = self.ask(turn)
        if not reply.choices:  # nothing of the owner's to cancel: the menu comes next
            self.leave(turn)
        return [reply]

    def _enter(self, turn: Turn) -> list[Reply]:
        turn.state.answers.pop(self.name, None)
        turn.state.flow, turn.state.step = self.name, START
        if turn.state.owner_id is None:
            self.leave(turn)
            return [Reply(turn.text(NOTHING_REGISTERED) + " " + turn.text(TRAINING_NEEDS_REGISTERING))]
        return []

    # -- what the router calls -------------------------------------------------------------

    def choice_labels(self, turn: Turn) -> list[str]:
        """The labels of what the current screen offers to pick: "Sebelumnya" on a list's later page is its button,
        not "kembali"."""
        if turn.state.step in YES_NO_STEPS:
            return [*(choice.label for choice in yes_no_choices(turn)), *SAID_BACK[turn.state.step]]
        answers = turn.state.answers.get(self.name, {})
        return [*(answers.get("labels") or []), *(answers.get("buttons", []) if turn.state.step == LIST else [])]

    def asks_about(self, _turn: Turn, _text: str) -> bool:
        """Browsing asks nothing an owner's own question could be about."""
        return False

    def read(self, turn: Turn, text: str) -> Any | Invalid:
        """What the text picks on the current screen, changing nothing: a choice's label, True or False for a
        yes-or-no question, NEXT or PREVIOUS for a page of the list; an Invalid when it is not an answer here."""
        picked = self._reading(turn, text)
        if isinstance(picked, int) and not isinstance(picked, bool):
            return turn.state.answers[self.name]["labels"][picked]
        return picked

    def answer(self, turn: Turn, text: str) -> list[Reply]:
        step = turn.state.step
        if step not in (LIST, DETAIL, SCHEDULE, *YES_NO_STEPS):
            return self.start(turn)
        picked = self._reading(turn, text)
        if isinstance(picked, Invalid):  # a short reason and the choices, not the whole screen again
            return [Reply(turn.explain(picked), self.ask(turn).choices)]
        if step == LIST:
            return self._answer_list(turn, picked)
        if step == DETAIL:
            return self._answer_detail(turn, picked)
        if step == SCHEDULE:
            return self._answer_schedule(turn, picked)
        return self._answer_yes_no(turn, picked)

    def ask(self, turn: Turn) -> Reply:
        """The screen the owner is at, drawn afresh from the registry."""
        step = turn.state.step
        if step == DETAIL:
            return self._detail(turn)
        if step in (CONFIRM, WAITLIST):
            return self._asking_for_seat(turn)
        if step == WITHDRAW:
            session = self._chosen_session(turn)
            return self._question(turn, N_("Cancel your place in %(programme)s on %(when)s?"),
                                  programme=session.programme_name if session else "", when=self._when(turn, session))
        if step == SCHEDULE:
            return self._schedule(turn)
        return self._page(turn)

    def go_back(self, turn: Turn) -> list[Reply]:
        if turn.state.step in (LIST, SCHEDULE, START):
            self.leave(turn)
            return []
        self._fire(turn, "back")
        return [self.ask(turn)]

    def cancel(self, turn: Turn) -> list[Reply]:
        """Nothing is half done while browsing: leave at once."""
        self.leave(turn)
        return []

    def help(self, turn: Turn) -> list[Reply]:
        words = N_("Reply with a number to choose. \"kembali\" goes back one screen, \"menu\" to the main menu, "
                   "\"jadwal\" shows your training schedule.")
        return [Reply(turn.text(words)), self.ask(turn)]

    def leave(self, turn: Turn) -> None:
        leave_flow(turn, self.name)

    # -- reading a text where the owner stands ----------------------------------------------

    def _reading(self, turn: Turn, text: str) -> int | bool | str | Invalid:
        """The index of the choice picked, True or False, NEXT or PREVIOUS; or why the text is none of them here.

        Nothing is written, not even an empty answers entry: the router reads before it decides.
        """
        step = turn.state.step
        words = text.casefold().strip(" .!").split()
        if step in YES_NO_STEPS:
            said_back = SAID_BACK[step].get(" ".join(words))
            if said_back is not None:
                return said_back
            try:
                return parse_yes_no_choice(text)
            except Invalid as rejection:
                return rejection
        answers = turn.state.answers.get(self.name, {})
        labels = (answers.get("labels") or []) if step in (LIST, DETAIL, SCHEDULE) else []
        if step == LIST:
            word = " ".join(words)
            if word in NEXT_WORDS or word == turn.text(N_("More")).casefold():
                return NEXT
            if word in PREVIOUS_WORDS or word == turn.text(N_("Previous")).casefold():
                return PREVIOUS
        named = " ".join(word for word in words if word not in PICKING_WORDS)
        for said in dict.fromkeys((text, named) if named else (text,)):
            try:
                return parse_choice(said, labels)
            except Invalid:
                pass
        held_in = [index for index, code in enumerate(answers.get("kabupaten", []) if step == DETAIL else [])
                   if named and names_exactly(named, region(code))]  # "yg di sampit": the session in Kotim
        if len(held_in) == 1:
            return held_in[0]
        if step == DETAIL and labels and not named and SIGNING_UP.intersection(words):
            return Suggest(N_("Which session do you want to join? Reply with its number. To register another "
                              "business instead, type \"daftar usaha\"."), range(len(labels)))
        return self._not_a_choice(step, len(labels))

    @staticmethod
    def _not_a_choice(step: str, count: int) -> Invalid:
        """Why a text picks nothing on this screen, naming the numbers there are."""
        if step == LIST and count:
            return Invalid(N_("Reply with the number of a programme (1-%(count)s), or \"kembali\"."), count=count)
        if step == DETAIL and count:
            return Invalid(N_("Reply with the number of a session (1-%(count)s), or \"kembali\" for the list."),
                           count=count)
        if step == SCHEDULE and count:
            return Invalid(N_("Reply with the number of a place to cancel it (1-%(count)s), or \"menu\"."),
                           count=count)
        return Invalid(N_("There is nothing to choose here: type \"kembali\" to go back, or \"menu\"."))

    # -- the list ------------------------------------------------------------------------

    def _show_page(self, turn: Turn, page: int) -> list[Reply]:
        self._answers(turn)["page"] = page
        reply = self._page(turn)
        if not reply.choices:
            self.leave(turn)
        return [reply]

    def _page(self, turn: Turn) -> Reply:
        """A page of the programmes open to the owner, those with a session in their kabupaten first, each marked
        when the owner holds or waits for a place in it; and how many others there are that the owner cannot join."""
        t = turn.text
        answers = self._answers(turn)
        owner = self._owner(turn)
        audience = turn.registry.audience(owner)
        catalogue = turn.registry.training.catalogue(audience, owner)
        listings, closed = catalogue.open, closed_line(catalogue.closed, t)
        if not listings:
            answers.update(labels=[], buttons=[])
            none_open = t(N_("No training is open to your business right now. Announcements of new "
                             "programmes come through this chat."))
            return Reply(f"{none_open}\n\n{closed}" if closed else none_open)
        page = answers["page"] = min(max(answers.get("page", 0), 0), (len(listings) - 1) // PAGE_SIZE)
        shown = listings[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        answers.update(shown=[listing.programme_id for listing in shown], labels=[listing.name for listing in shown])
        first, last = page * PAGE_SIZE + 1, page * PAGE_SIZE + len(shown)
        lines = [t(N_("Training open to your business (%(first)s-%(last)s of %(total)s):"), first=first, last=last,
                   total=len(listings)), ""]
        for number, listing in enumerate(shown, start=1):
            if listing.next_near is not None:
                line = t(N_("%(name)s (near you: %(date)s)"), name=listing.name,
                         date=t.date(in_wib(listing.next_near).date()))
            else:
                line = t(N_("%(name)s (next: %(date)s)"), name=listing.name,
                         date=t.date(in_wib(listing.next_start).date()))
            mark = f" - {t(_MARKS[Status(listing.mine)])}" if listing.mine else ""
            lines.append(f"{number}. {line}{mark}")
        if closed:
            lines += ["", closed]
        lines += ["", t(N_("Reply with a number to read about a programme and sign up."))]
        buttons = []
        if last < len(listings):
            lines.append(t(N_("Type \"lagi\" for more.")))
            buttons.append(t(N_("More")))
        if page > 0:
            buttons.append(t(N_("Previous")))
        answers["buttons"] = buttons
        return Reply("\n".join(lines), (*numbered(answers["labels"]), *(Choice(None, label) for label in buttons)))

    def _answer_list(self, turn: Turn, picked: int | str) -> list[Reply]:
        answers = self._answers(turn)
        if picked in (NEXT, PREVIOUS):
            return self._show_page(turn, answers["page"] + (1 if picked == NEXT else -1))
        answers["programme"] = answers["shown"][picked]
        self._fire(turn, "open")
        return [self.ask(turn)]

    # -- one programme -------------------------------------------------------------------

    def _detail(self, turn: Turn) -> Reply:
        t = turn.text
        answers = self._answers(turn)
        owner = self._owner(turn)
        programme = turn.registry.training.programme(answers["programme"])
        audience = turn.registry.audience(owner)
        sessions = turn.registry.training.sessions(answers["programme"], owner, audience.kabupaten_codes) \
            if programme is not None else []
        answers["sessions"] = [session.id for session in sessions]
        answers["kabupaten"] = [session.kabupaten_code for session in sessions]
        answers["labels"] = [f"{t.date(in_wib(session.starts_at).date())}, {region(session.kabupaten_code).short_name}"
                             for session in sessions]
        if programme is None or not sessions:
            return Reply(t(N_("This programme has no sessions ahead any more. Type \"kembali\" for the list.")))
        teaches = t.join([t(Dimension(value).label) for value in programme.dimensions])
        lines = [programme.name, t(N_("Organised by %(organiser)s."), organiser=programme.organiser), "",
                 programme.description, t(N_("It helps with: %(topics)s."), topics=teaches), "",
                 t(N_("Sessions:"))]
        for number, session in enumerate(sessions, start=1):
            lines += [f"{number}. {show_when(session, t)}", f"   {_place(session)}: {_seats(session, turn)}"]
        lines += ["", t(N_("Reply with the number of a session to sign up for it, or to cancel your place in it. "
                           "\"kembali\" goes back to the list."))]
        return Reply("\n".join(lines), numbered(answers["labels"]))

    def _answer_detail(self, turn: Turn, picked: int) -> list[Reply]:
        """A session the owner holds a place in: ask to cancel it; one they may join: show it and ask for "ya"."""
        answers = self._answers(turn)
        answers["session"] = answers["sessions"][picked]
        session = self._chosen_session(turn)
        if session is not None and session.status is not None:
            answers["from"] = DETAIL
            self._fire(turn, "withdraw")
            return [self.ask(turn)]
        owner = self._owner(turn)
        outcome = turn.registry.training.would_sign_up(answers["session"], owner, turn.registry.audience(owner))
        if outcome not in (SignUp.REGISTERED, SignUp.FULL):  # said at once: there is nothing to say "ya" to
            return [Reply(turn.text(_REFUSED.get(outcome, _REFUSED[SignUp.NOT_OPEN_TO_YOU]))), self.ask(turn)]
        self._fire(turn, "confirm" if outcome is SignUp.REGISTERED else "full")
        return [self.ask(turn)]

    def _asking_for_seat(self, turn: Turn) -> Reply:
        """The session chosen, as the owner will attend it, and whether they want its seat (or its waiting list)."""
        t = turn.text
        session = self._chosen_session(turn)
        if session is None:  # an id the registry does not know (sessions are never deleted)
            return self._question(turn, _REFUSED[SignUp.NOT_OPEN_TO_YOU])
        lines = [session.programme_name, show_when(session, t), f"{_place(session)}: {_seats(session, turn)}"]
        note = elsewhere(session, turn.registry.audience(self._owner(turn)).kabupaten_codes, t)
        if note:
            lines += ["", note]
        if turn.state.step == WAITLIST:
            lines += ["", t(N_("This session is full. Join its waiting list? When a seat becomes free, the first on "
                               "the list gets it and is told at once.")),
                      t(N_("You would be number %(position)s on the list."), position=session.waitlisted + 1)]
        else:
            lines += ["", t(N_("Sign up for this session?"))]
        return Reply("\n".join(lines), yes_no_choices(turn))

    def _sign_up(self, turn: Turn, *, waitlist: bool) -> list[Reply]:
        """Take a seat, or a place on the waiting list, in the session the owner said "ya" to."""
        owner = self._owner(turn)
        session_id = self._answers(turn)["session"]
        outcome = turn.registry.training.sign_up(session_id, owner, turn.registry.audience(owner), waitlist=waitlist)
        if outcome is SignUp.FULL:  # the last seat went while the owner read: offer its waiting list
            self._fire(turn, "full")
            return [Reply(turn.text(N_("The last seat has just been taken."))), self.ask(turn)]
        session = turn.registry.training.session(session_id, owner)
        if session is not None and outcome in (SignUp.REGISTERED, SignUp.WAITLISTED):
            self.leave(turn)
            if outcome is SignUp.REGISTERED:
                return [Reply(turn.text(N_(
                    "You are registered for %(programme)s on %(when)s at %(place)s. We will remind you a week "
                    "before and the day before. To cancel, type \"jadwal\"."), **where_and_when(session, turn.text)))]
            return [Reply(turn.text(N_(
                "You are on the waiting list for %(programme)s on %(when)s at %(place)s. If a seat becomes "
                "free, it is yours and we will tell you. To leave the list, type \"jadwal\"."),
                **where_and_when(session, turn.text)) + " " + turn.text(
                N_("You are number %(position)s on the waiting list."), position=session.position))]
        self._fire(turn, "back")
        return [Reply(turn.text(_REFUSED.get(outcome, _REFUSED[SignUp.NOT_OPEN_TO_YOU]))), self.ask(turn)]

    # -- yes or no: a seat, the waiting list, cancelling a place ---------------------------

    def _question(self, turn: Turn, msgid: str, **params: object) -> Reply:
        return Reply(turn.text(msgid, **params), yes_no_choices(turn))

    def _answer_yes_no(self, turn: Turn, agreed: bool) -> list[Reply]:
        if not agreed:
            self._fire(turn, "back")
            return [self.ask(turn)]
        if turn.state.step == WITHDRAW:
            return self._withdraw(turn)
        return self._sign_up(turn, waitlist=turn.state.step == WAITLIST)

    def _withdraw(self, turn: Turn) -> list[Reply]:
        """Give up the place; a freed seat goes to the first on the waiting list, who is told."""
        session = self._chosen_session(turn)
        session_id, owner = self._answers(turn)["session"], self._owner(turn)
        self.leave(turn)
        for promoted in turn.registry.training.withdraw(session_id, owner):
            tell_seat_given(turn.registry, session_id, promoted)
        return [Reply(turn.text(N_("Your place in %(programme)s on %(when)s is cancelled."),
                                programme=session.programme_name if session else "",
                                when=self._when(turn, session)))]

    # -- "jadwal" ------------------------------------------------------------------------

    def _schedule(self, turn: Turn) -> Reply:
        t = turn.text
        owner = self._owner(turn)
        mine = turn.registry.training.upcoming_of(owner)
        audience = turn.registry.audience(owner)
        mine_ids = {session.id for session in mine}
        near = [session for session in turn.registry.training.upcoming_near(audience, NEAR_SHOWN + len(mine))
                if session.id not in mine_ids][:NEAR_SHOWN]
        self._answers(turn).update(sessions=[session.id for session in mine],
                                   labels=[session.programme_name for session in mine])
        if mine:
            lines = [t(N_("Your training schedule:")), ""]
            for number, session in enumerate(mine, start=1):
                lines += [f"{number}. {session.programme_name}", f"   {show_when(session, t)}",
                          f"   {_place(session)} ({_seats(session, turn)})"]
            lines += ["", t(N_("To cancel a place, reply with its number."))]
        else:
            lines = [t(N_("You are not signed up for any training yet."))]
        if near:
            places = t.join([region(code).name for code in audience.kabupaten_codes])
            lines += ["", t(N_("Coming up in %(places)s:"), places=places)]
            lines += [f"- {session.programme_name}: {show_when(session, t)}, {session.place}" for session in near]
        lines += ["", t(N_("Type \"program\" to see all training open to you and sign up."))]
        return Reply("\n".join(lines), numbered(self._answers(turn)["labels"]))

    def _answer_schedule(self, turn: Turn, picked: int) -> list[Reply]:
        answers = self._answers(turn)
        answers.update(session=answers["sessions"][picked], **{"from": SCHEDULE})
        self._fire(turn, "withdraw")
        return [self.ask(turn)]

    # -- inside ---------------------------------------------------------------------------

    def _answers(self, turn: Turn) -> Answers:
        return turn.answers_of(self.name)

    def _owner(self, turn: Turn) -> int:
        if turn.state.owner_id is None:  # _enter lets only registered owners in
            raise LookupError("the programme flow needs a registered owner")
        return turn.state.owner_id

    def _chosen_session(self, turn: Turn) -> SessionInfo | None:
        return turn.registry.training.session(self._answers(turn)["session"], self._owner(turn))

    def _when(self, turn: Turn, session: SessionInfo | None) -> str:
        return turn.text.moment(session.starts_at) if session is not None else ""

    def _fire(self, turn: Turn, trigger: str) -> bool:
        return fire(self.machine, turn, trigger, self._answers(turn))


_REFUSED = {
    SignUp.ALREADY: N_("You already have a place in this session."),
    SignUp.OTHER_SESSION: N_("You already have a place in another session of this programme. To move, cancel that "
                             "one first under \"jadwal\"."),
    SignUp.CLOSED: N_("Sign-up for this session has closed."),
    SignUp.NOT_OPEN_TO_YOU: N_("This session is not open to your business."),
}

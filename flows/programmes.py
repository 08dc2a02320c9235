"""Training programmes: browse those open to the owner, read one, sign up, wait for a seat, and "jadwal".

Browsing has no answers to lose, so "batal" simply leaves and "kembali" steps back one screen.
Whatever the owner saw is kept by id in the conversation, so "2" means the second thing shown
even if the list changed since; seats are checked again, under the session's lock, when taken.
"""

from functools import partial
from typing import Any

from transitions import Machine

from domain.assessment import Dimension
from domain.invalid import Invalid
from domain.msgid import N_
from domain.regions import region
from domain.wib import in_wib
from flows.engine import START, Answers, Turn, fire, leave_flow, yes_no_choices
from flows.i18n import Text
from flows.messages import Choice, Reply, numbered
from flows.notices import tell_seat_given, where_and_when
from flows.parsing import parse_choice, parse_yes_no
from flows.registration import NOTHING_REGISTERED
from store.training import SessionInfo, SignUp, Status

LIST = "list"
DETAIL = "detail"
WAITLIST = "waitlist"
SCHEDULE = "schedule"
WITHDRAW = "withdraw"
PAGE_SIZE = 5
NEAR_SHOWN = 5  # other sessions in the owner's kabupaten listed under "jadwal"
NEXT_WORDS = frozenset({"lagi", "berikutnya", "selanjutnya", "lanjut", "next", "more", ">"})
PREVIOUS_WORDS = frozenset({"sebelumnya", "previous", "prev", "<"})


def _came_from(step: str, answers: Answers, **_: Any) -> bool:
    return answers.get("from") == step


def _declare_machine() -> Machine:
    machine = Machine(model=None, states=[START, LIST, DETAIL, WAITLIST, SCHEDULE, WITHDRAW], initial=START,
                      auto_transitions=False, ignore_invalid_triggers=True, model_attribute="step")
    machine.add_transition("browse", "*", LIST)
    machine.add_transition("schedule", "*", SCHEDULE)
    machine.add_transition("open", [LIST, START], DETAIL)
    machine.add_transition("full", DETAIL, WAITLIST)
    machine.add_transition("withdraw", [DETAIL, SCHEDULE], WITHDRAW)
    machine.add_transition("back", DETAIL, LIST)
    machine.add_transition("back", WAITLIST, DETAIL)
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
    if session.status == Status.REGISTERED:
        return t(N_("you are registered"))
    if session.status == Status.WAITLISTED:
        return t(N_("you are on the waiting list"))
    if session.signup_deadline < turn.now:
        return t(N_("sign-up closed"))
    if session.seats_left == 0:
        return t(N_("full, %(count)s on the waiting list"), count=session.waitlisted)
    return t(N_("%(count)s seats left, sign up by %(date)s"), count=session.seats_left,
             date=t.date(in_wib(session.signup_deadline).date()))


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
            return [Reply(turn.text(NOTHING_REGISTERED) + " " + turn.text(N_(
                "Training is for registered businesses: type \"daftar\" to register yours first.")))]
        return []

    # -- what the router calls -------------------------------------------------------------

    def answer(self, turn: Turn, text: str) -> list[Reply]:
        step = turn.state.step
        if step == LIST:
            return self._answer_list(turn, text)
        if step == DETAIL:
            return self._answer_detail(turn, text)
        if step in (WAITLIST, WITHDRAW):
            return self._answer_yes_no(turn, text)
        if step == SCHEDULE:
            return self._answer_schedule(turn, text)
        return self.start(turn)

    def ask(self, turn: Turn) -> Reply:
        """The screen the owner is at, drawn afresh from the registry."""
        step = turn.state.step
        if step == DETAIL:
            return self._detail(turn)
        if step == WAITLIST:
            return self._question(turn, N_("This session is full. Join its waiting list? When a seat becomes free, "
                                           "the first on the list gets it and is told at once."))
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

    # -- the list ------------------------------------------------------------------------

    def _show_page(self, turn: Turn, page: int) -> list[Reply]:
        self._answers(turn)["page"] = page
        reply = self._page(turn)
        if not reply.choices:
            self.leave(turn)
        return [reply]

    def _page(self, turn: Turn) -> Reply:
        """A page of the programmes open to the owner, those with a session in their kabupaten first."""
        t = turn.text
        answers = self._answers(turn)
        listings = turn.registry.training.open_programmes(turn.registry.audience(self._owner(turn)))
        if not listings:
            answers["labels"] = []
            return Reply(t(N_("No training is open to your business right now. Announcements of new "
                              "programmes come through this chat.")))
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
            lines.append(f"{number}. {line}")
        lines += ["", t(N_("Reply with a number to read about a programme and sign up."))]
        buttons = []
        if last < len(listings):
            lines.append(t(N_("Type \"lagi\" for more.")))
            buttons.append(Choice(None, t(N_("More"))))
        if page > 0:
            buttons.append(Choice(None, t(N_("Previous"))))
        return Reply("\n".join(lines), (*numbered(answers["labels"]), *buttons))

    def _answer_list(self, turn: Turn, text: str) -> list[Reply]:
        answers = self._answers(turn)
        word = text.casefold().strip(" .!")
        if word in NEXT_WORDS or word == turn.text(N_("More")).casefold():
            return self._show_page(turn, answers["page"] + 1)
        if word in PREVIOUS_WORDS or word == turn.text(N_("Previous")).casefold():
            return self._show_page(turn, answers["page"] - 1)
        index = self._pick(turn, text)
        if index is None:
            return self._not_shown(turn)
        answers["programme"] = answers["shown"][index]
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

    def _answer_detail(self, turn: Turn, text: str) -> list[Reply]:
        answers = self._answers(turn)
        index = self._pick(turn, text)
        if index is None:
            return self._not_shown(turn)
        answers["session"] = answers["sessions"][index]
        session = self._chosen_session(turn)
        if session is not None and session.status is not None:
            answers["from"] = DETAIL
            self._fire(turn, "withdraw")
            return [self.ask(turn)]
        return self._sign_up(turn, session, waitlist=False)

    def _sign_up(self, turn: Turn, session: SessionInfo | None, *, waitlist: bool) -> list[Reply]:
        """Take a seat, or a place on the waiting list; `session` is what the owner chose, as shown to them."""
        owner = self._owner(turn)
        outcome = turn.registry.training.sign_up(self._answers(turn)["session"], owner, turn.registry.audience(owner),
                                                 waitlist=waitlist)
        if outcome is SignUp.FULL:
            self._fire(turn, "full")
            return [self.ask(turn)]
        if session is not None and outcome in (SignUp.REGISTERED, SignUp.WAITLISTED):
            self.leave(turn)
            said = N_("You are registered for %(programme)s on %(when)s at %(place)s. We will remind you the day "
                      "before. To cancel, type \"jadwal\".") if outcome is SignUp.REGISTERED else \
                N_("You are on the waiting list for %(programme)s on %(when)s at %(place)s. If a seat becomes "
                   "free, it is yours and we will tell you. To leave the list, type \"jadwal\".")
            return [Reply(turn.text(said, **where_and_when(session, turn.text)))]
        if turn.state.step == WAITLIST:
            self._fire(turn, "back")
        return [Reply(turn.text(_REFUSED.get(outcome, _REFUSED[SignUp.NOT_OPEN_TO_YOU]))), self.ask(turn)]

    # -- yes or no: the waiting list, cancelling a place -----------------------------------

    def _question(self, turn: Turn, msgid: str, **params: object) -> Reply:
        return Reply(turn.text(msgid, **params), yes_no_choices(turn))

    def _answer_yes_no(self, turn: Turn, text: str) -> list[Reply]:
        try:
            agreed = parse_yes_no(text)
        except Invalid as rejection:
            return [Reply(turn.explain(rejection)), self.ask(turn)]
        if not agreed:
            self._fire(turn, "back")
            return [self.ask(turn)]
        if turn.state.step == WAITLIST:
            return self._sign_up(turn, self._chosen_session(turn), waitlist=True)
        return self._withdraw(turn)

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

    def _answer_schedule(self, turn: Turn, text: str) -> list[Reply]:
        answers = self._answers(turn)
        index = self._pick(turn, text)
        if index is None:
            return self._not_shown(turn)
        answers.update(session=answers["sessions"][index], **{"from": SCHEDULE})
        self._fire(turn, "withdraw")
        return [self.ask(turn)]

    # -- inside ---------------------------------------------------------------------------

    def _answers(self, turn: Turn) -> Answers:
        return turn.answers_of(self.name)

    def _owner(self, turn: Turn) -> int:
        if turn.state.owner_id is None:  # _enter lets only registered owners in
            raise LookupError("the programme flow needs a registered owner")
        return turn.state.owner_id

    def _not_shown(self, turn: Turn) -> list[Reply]:
        return [Reply(turn.text(N_("Please reply with one of the numbers shown."))), self.ask(turn)]

    def _pick(self, turn: Turn, text: str) -> int | None:
        """The index of what the owner chose among the choices last shown: by number, or a button's words."""
        try:
            return parse_choice(text, self._answers(turn).get("labels") or [])
        except Invalid:
            return None

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
    SignUp.FULL: N_("This session is full."),
}

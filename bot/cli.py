"""The `tabe` command: a parser per subcommand, and the one function that does what it says.

Each function imports what only it needs where it runs: the web server, python-telegram-bot and twilio take
a second to import, and `tabe --help`, `tabe chat` and the registry's commands have no use for them.
"""

import argparse
import asyncio
import gc
import getpass
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot import sample
from bot.render import as_plain_text
from bot.settings import BadSetting, Settings, load_settings
from bot.terminal import MAX_IDENTITY, chat
from domain.assessment import LEVELS
from domain.channels import PROVIDERS, PUSH_CHANNELS
from domain.classes import UMKM_CLASSES
from domain.invalid import Invalid
from domain.regions import region
from domain.sectors import SECTOR_KEYS
from flows.announce import MAX_ANNOUNCEMENT
from flows.conversation import Conversations
from flows.follow_up import SAMPLE_BUSINESS
from flows.i18n import Text
from flows.notices import announcement_text
from flows.parsing import parse_phone
from flows.router import FOLLOW_UP_FLOWS
from flows.send_time import parse_send_time
from store.announcements import Cancelled, Reach, Report, Segment
from store.db import Database
from store.follow_ups import SURVEY_KINDS, Kind, Status, SurveyReport
from store.knowledge import shipped_entries
from store.migrate import BadDatabaseUrl, DatabaseUnusable, check_database, failed_midway, upgrade
from store.models import utcnow
from store.officers import PROVINCE, OfficerInfo
from store.registry import Registry
from store.training import ImportCounts, Tally

Command = Callable[[argparse.Namespace, Settings], int]  # a subcommand's function: its exit status


def _identity(text: str) -> str:
    if not 0 < len(text) <= MAX_IDENTITY:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_IDENTITY} characters, please")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    args = command_line().parse_args(argv)
    try:
        settings = load_settings()
    except BadSetting as bad:  # one line naming the setting, never a traceback
        print(bad, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token in the URL
    logging.getLogger("transitions").setLevel(logging.WARNING)  # two lines for every message otherwise
    logging.getLogger("twilio").setLevel(logging.WARNING)  # a dozen lines for every message sent otherwise
    run: Command = args.func
    try:
        return run(args, settings)
    except DatabaseUnusable as unusable:  # one line saying what to do, never a traceback
        print(unusable, file=sys.stderr)
        return 1
    except SQLAlchemyError as error:  # the check at start passed, then the database failed
        print(failed_midway(settings.database_url, error), file=sys.stderr)
        return 1
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    except BrokenPipeError:  # whoever read our output stopped reading (`tabe chat | head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return 1


def command_line() -> argparse.ArgumentParser:
    """Every subcommand's parser, each naming its function (`func`)."""
    parser = argparse.ArgumentParser(prog="tabe", description="The TABE bot of the UMKM registry of Kalimantan Tengah.")
    commands = parser.add_subparsers(dest="command", required=True)

    chat_parser = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat_parser.add_argument("--as", dest="identity", default=getpass.getuser(), type=_identity,
                             help="who you are: a mobile number (like a WhatsApp sender) or any name")
    chat_parser.set_defaults(func=chat_in_terminal)

    db_parser = commands.add_parser("db", help="the registry database")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the database migrations").set_defaults(func=upgrade_database)
    seed_parser = db_commands.add_parser("seed", help="add sample registered owners")
    seed_parser.add_argument("--owners", type=int, default=50)
    seed_parser.add_argument("--if-empty", action="store_true", help="only when no owner is registered yet")
    seed_parser.set_defaults(func=seed_owners)

    serve_parser = commands.add_parser("serve", help="run the web server: webhooks, browser chat, health check")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for all)")
    serve_parser.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 8000)")
    serve_parser.add_argument("--polling", action="store_true",
                              help="fetch Telegram updates by polling, for running without a public address")
    serve_parser.set_defaults(func=serve)

    commands.add_parser("worker", help="run the worker that sends queued messages").set_defaults(func=run_worker)

    programs_parser = commands.add_parser("programs", help="training programmes and their sessions")
    programs_commands = programs_parser.add_subparsers(dest="programs_command", required=True)
    import_parser = programs_commands.add_parser(
        "import", help="create and update programmes and sessions from a .csv or .yaml file (nothing is deleted)")
    import_parser.add_argument("file", type=Path)
    import_parser.set_defaults(func=import_programmes)
    programs_commands.add_parser(
        "list", help="each programme with its sessions ahead and seats taken").set_defaults(func=list_programmes)

    officers_parser = commands.add_parser("officers", help="officers of the Dinas who may announce")
    officers_commands = officers_parser.add_subparsers(dest="officers_command", required=True)
    add_parser = officers_commands.add_parser("add", help="add an officer")
    add_parser.add_argument("--name", required=True, type=_identity)
    add_parser.add_argument("--phone", type=_phone, help="their WhatsApp number")
    add_parser.add_argument("--telegram", help="their Telegram user id")
    add_parser.add_argument("--scope", required=True, type=_scope,
                            help="provinsi, or one kabupaten/kota by code (62.02) or name (Kotim)")
    add_parser.set_defaults(func=add_officer)
    officers_commands.add_parser("list", help="the active officers").set_defaults(func=list_officers)
    remove_parser = officers_commands.add_parser("remove", help="deactivate an officer (kept for the audit trail)")
    remove_parser.add_argument("id", type=int)
    remove_parser.set_defaults(func=remove_officer)
    link_parser = officers_commands.add_parser(
        "login-link", help="print a one-time link into the dashboard (good once, for 10 minutes)")
    link_parser.add_argument("officer", metavar="NAME", help="the officer's name, or their id")
    link_parser.set_defaults(func=print_login_link)

    announce_parser = commands.add_parser(
        "announce", help="queue an announcement to owners (--text or --file), or see one: status ID, list")
    words = announce_parser.add_mutually_exclusive_group()
    words.add_argument("--text", help="the announcement's words")
    words.add_argument("--file", type=Path, help="a UTF-8 text file holding the announcement's words")
    _segment_options(announce_parser)
    announce_parser.add_argument("--at", metavar="WHEN", help="send it then, in WIB: \"2026-12-07 08:00\", "
                                 "\"besok 08.00\" (at most 90 days ahead; cancel it before with `announce cancel`)")
    announce_parser.set_defaults(func=queue_announcement)
    announce_commands = announce_parser.add_subparsers(dest="announce_command")
    status_parser = announce_commands.add_parser("status", help="what became of an announcement so far")
    status_parser.add_argument("id", type=int)
    status_parser.add_argument("--recipients", action="store_true", help="one line per recipient")
    status_parser.set_defaults(func=announcement_status)
    recent_parser = announce_commands.add_parser("list", help="the latest announcements")
    recent_parser.add_argument("--limit", type=int, default=10)
    recent_parser.set_defaults(func=list_announcements)
    cancel_parser = announce_commands.add_parser("cancel", help="cancel an announcement whose time is still ahead")
    cancel_parser.add_argument("id", type=int)
    cancel_parser.add_argument("--officer", type=int, metavar="ID", help="as this officer, within their scope only")
    cancel_parser.set_defaults(func=cancel_announcement)

    survey_parser = commands.add_parser("survey", help="surveys of owners' businesses: start one, list, status ID")
    survey_commands = survey_parser.add_subparsers(dest="survey_command", required=True)
    start_parser = survey_commands.add_parser(
        "start", help="ask every business of a segment: its data brought up to date, or its self-assessment again")
    start_parser.add_argument("--kind", required=True, type=_one_of(SURVEY_KINDS),
                              help=f"one of {', '.join(SURVEY_KINDS)}")
    _segment_options(start_parser)
    start_parser.set_defaults(func=start_survey)
    survey_commands.add_parser("list", help="the latest surveys").set_defaults(func=list_surveys)
    survey_status_parser = survey_commands.add_parser("status", help="what the owners made of a survey so far")
    survey_status_parser.add_argument("id", type=int)
    survey_status_parser.set_defaults(func=survey_status)

    telegram_parser = commands.add_parser("telegram", help="Telegram's side of the setup")
    telegram_commands = telegram_parser.add_subparsers(dest="telegram_command", required=True)
    telegram_commands.add_parser(
        "set-webhook", help="point Telegram at PUBLIC_BASE_URL/telegram/webhook").set_defaults(func=set_webhook)
    return parser


def _segment_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose whom `tabe announce` or `tabe survey start` reaches, and how it is done."""
    parser.add_argument("--kabupaten", type=_kabupaten, help="only owners with a business in this kabupaten/kota, by "
                        "code (62.02) or name (Kotim)")
    parser.add_argument("--sector", type=_one_of(SECTOR_KEYS), help=f"one of {', '.join(SECTOR_KEYS)}")
    parser.add_argument("--class", dest="business_class", type=_one_of(UMKM_CLASSES),
                        help=f"one of {', '.join(UMKM_CLASSES)}")
    parser.add_argument("--programme", metavar="CODE", help="only owners taking part in this programme")
    parser.add_argument("--session", metavar="CODE", help="only owners taking part in this session of the programme "
                        "(with --programme)")
    parser.add_argument("--level", type=_one_of(LEVELS),
                        help=f"only owners whose latest self-assessment is at this level: {', '.join(LEVELS)}")
    parser.add_argument("--officer", type=int, metavar="ID", help="as this officer, to owners within their scope only")
    parser.add_argument("--dry-run", action="store_true", help="show who it reaches and how it reads; queue nothing")
    parser.add_argument("--yes", action="store_true", help="queue it without asking")


@contextmanager
def _registry(settings: Settings) -> Iterator[Database]:
    """The registry database, once it is known to answer at this code's schema (DatabaseUnusable says otherwise)."""
    check_database(settings.database_url)
    database = Database(settings.database_url)
    try:
        yield database
    finally:
        database.dispose()


def chat_in_terminal(args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database:
        chat(Conversations(database, dashboard_url=settings.dashboard_url, office=settings.office), args.identity, sys.stdin, sys.stdout)
    return 0


def upgrade_database(_args: argparse.Namespace, settings: Settings) -> int:
    check_database(settings.database_url, migrated=False)
    upgrade(settings.database_url)
    with _registry(settings) as database, database.transaction() as registry:
        added = registry.knowledge.ship(shipped_entries())
    if added:
        print(f"knowledge base: {added} shipped entries added")
    return 0


def seed_owners(args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database:
        added = sample.seed(database, args.owners, only_if_empty=args.if_empty)
    print(f"sample owners added: {added}")
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve even while the database is away or not migrated (platforms start the web before it): /healthz says 503."""
    if args.polling and not settings.telegram_bot_token:
        print("--polling needs TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return 2
    try:
        check_database(settings.database_url)
    except BadDatabaseUrl:  # no wait mends the URL itself
        raise
    except DatabaseUnusable as unusable:
        print(f"{unusable}; serving meanwhile, /healthz answers 503 until the database is ready", file=sys.stderr,
              flush=True)
    return _serve(settings, args.host, args.port or settings.port, args.polling)


def _serve(settings: Settings, host: str, port: int, polling: bool) -> int:
    import uvicorn

    from bot.app import create_app

    local = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    print(f"Chat with the bot in a browser: {local}/", flush=True)
    print(f"Officers' dashboard: {local}/admin/ (log in with a link from `tabe officers login-link NAME`, "
          "or by writing \"masuk\" to the bot as an officer)", flush=True)
    app = create_app(replace(settings, port=port), polling=polling)  # the port officers' login links lead to
    # What is loaded by now lives as long as the process: kept out of the garbage collector's
    # full passes, which otherwise walk it all and pause every request for tens of milliseconds.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, access_log=False, proxy_headers=True, log_level="info")
    return 0


def run_worker(_args: argparse.Namespace, settings: Settings) -> int:
    check_database(settings.database_url)
    from bot import worker  # the channels' clients: python-telegram-bot and twilio

    worker.main(settings)
    return 0


def set_webhook(_args: argparse.Namespace, settings: Settings) -> int:
    from bot import telegram

    missing = telegram.missing(settings) + [
        name for name, value in (("TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret),
                                 ("PUBLIC_BASE_URL", settings.public_base_url)) if not value]
    if missing:
        print(f"set {', '.join(missing)} first", file=sys.stderr)
        return 2
    asyncio.run(telegram.register_webhook(settings))
    print(f"Telegram delivers updates to {settings.public_base_url}/telegram/webhook")
    return 0


def import_programmes(args: argparse.Namespace, settings: Settings) -> int:
    """Apply a programme file whole, or say everything wrong with it and change nothing."""
    from flows.programme_file import ProgrammeFileError, apply_programmes, read_programme_file  # and PyYAML

    path: Path = args.file
    try:
        programmes, sessions = read_programme_file(path)
    except ProgrammeFileError as error:
        for problem in error.problems:
            print(f"{path}:{problem.line}: {problem}" if problem.line else f"{path}: {problem}", file=sys.stderr)
        return 1
    with _registry(settings) as database:
        counts = apply_programmes(database, programmes, sessions)
    print(describe_import(counts))
    return 0


def describe_import(counts: ImportCounts) -> str:
    """programmes: 1 created, 0 updated, 9 unchanged; sessions: …; and the seats given from waiting lists."""
    def tally(kind: str, counted: Tally) -> str:
        return f"{kind}: {counted.created} created, {counted.updated} updated, {counted.unchanged} unchanged"
    return (f"{tally('programmes', counts.programmes)}; {tally('sessions', counts.sessions)}\n"
            f"owners on a waiting list given a seat: {len(counts.promoted)}\n"
            f"sessions moved: {len(counts.moved)}; sessions cancelled: {len(counts.cancelled)}, "
            f"owners who held a place in them: {sum(len(owners) for _session, owners in counts.cancelled)}")


def list_programmes(_args: argparse.Namespace, settings: Settings) -> int:
    """A plain table of the programmes: sessions ahead, seats taken of those offered, the next start in WIB."""
    with _registry(settings) as database, database.transaction() as registry:
        summaries = registry.training.summaries()
    text = Text("id")
    _print_table([("code", "name", "sessions ahead", "seats taken/offered", "next start")] + [
        (code, name, str(ahead), f"{taken}/{offered}", text.moment(next_start) if next_start else "-")
        for code, name, ahead, taken, offered, next_start in summaries])
    if not summaries:
        print("no programmes yet: add them with `tabe programs import FILE`")
    return 0


def _print_table(rows: list[tuple[str, ...]]) -> None:
    """Rows as aligned columns, the first row the heading; the last column is left ragged."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]))


def _scope(text: str) -> str:
    """`provinsi` (or 62) for the whole province, else one kabupaten/kota by code or exact name."""
    if text.casefold() in {"provinsi", "province", "prov", PROVINCE}:
        return PROVINCE
    return _kabupaten(text)


def _kabupaten(text: str) -> str:
    """One kabupaten/kota by code or exact name, as programme files give them: a near miss is refused."""
    from flows.programme_file import exact_kabupaten  # only when asked: it brings PyYAML

    try:
        return exact_kabupaten(text)
    except ValueError as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None


def _one_of(allowed: Sequence[str]) -> Callable[[str], str]:
    """An argument that must be one of `allowed`, however it is capitalised and with spaces for underscores."""
    def choice(text: str) -> str:
        value = "_".join(text.casefold().replace("-", " ").split())
        if value not in allowed:
            raise argparse.ArgumentTypeError(f"{text!r}: one of {', '.join(allowed)}, please")
        return value
    return choice


def _phone(text: str) -> str:
    try:
        return parse_phone(text)
    except Invalid:
        raise argparse.ArgumentTypeError(f"{text!r} is not a phone number") from None


def add_officer(args: argparse.Namespace, settings: Settings) -> int:
    if args.phone is None and args.telegram is None:
        print("give --phone (their WhatsApp number) or --telegram (their Telegram user id), or both", file=sys.stderr)
        return 2
    with _registry(settings) as database, database.transaction() as registry:
        officer_id = registry.officers.add(args.name, args.phone, args.telegram, args.scope, actor=_actor())
    print(f"officer {officer_id} added: {args.name}, scope {_scope_name(args.scope)}")
    print("from that WhatsApp number or Telegram account they write \"umumkan\" to announce, \"laporan\" "
          "to follow what was sent and \"masuk\" for a link into the dashboard; "
          f"`tabe officers login-link {officer_id}` prints one for the first time")
    return 0


def print_login_link(args: argparse.Namespace, settings: Settings) -> int:
    """Print a login link for the one active officer with this id or name (case aside)."""
    named: str = args.officer
    with _registry(settings) as database, database.transaction() as registry:
        officers = [officer for officer in registry.officers.active()
                    if named == str(officer.id) or named.casefold() == officer.name.casefold()]
        if len(officers) != 1:
            print(f"{'several' if officers else 'no'} active officers named {named!r}: "
                  "give the id from `tabe officers list`", file=sys.stderr)
            return 1
        token = registry.logins.new_link(officers[0].id)
    print(f"{settings.dashboard_url}/login/{token}")
    print(f"for {officers[0].name}; it works once, within 10 minutes")
    return 0


def list_officers(_args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database, database.transaction() as registry:
        officers = registry.officers.active()
    _print_table([("id", "name", "phone", "telegram id", "scope")] + [
        (str(officer.id), officer.name, officer.phone or "-", officer.telegram_id or "-", _scope_name(officer.scope))
        for officer in officers])
    if not officers:
        print("no officers yet: add one with `tabe officers add`")
    return 0


def remove_officer(args: argparse.Namespace, settings: Settings) -> int:
    officer_id: int = args.id
    with _registry(settings) as database, database.transaction() as registry:
        removed = registry.officers.remove(officer_id, actor=_actor())
    if not removed:
        print(f"no active officer has id {officer_id}", file=sys.stderr)
        return 1
    print(f"officer {officer_id} removed")
    return 0


# -- tabe announce ---------------------------------------------------------------------------


class Refused(Exception):
    """What the operator asked for cannot be done; the message says why."""


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"{path}: cannot be read as UTF-8 text ({error})") from None


def queue_announcement(args: argparse.Namespace, settings: Settings) -> int:
    if args.text is None and args.file is None:
        raise Refused("give the announcement with --text TEXT or --file PATH")
    text = args.text if args.file is None else _read_text(args.file)
    with _registry(settings) as database:
        return announce(database, text, _chosen(args), _taking(args), args.officer, send_at=_send_at(args.at),
                        dry_run=args.dry_run, yes=args.yes, template_category=settings.whatsapp_template_category)


def _chosen(args: argparse.Namespace) -> Segment:
    """The segment the options chose, before the author's scope bounds it (`_bounded`)."""
    return Segment(PROVINCE, args.kabupaten, args.sector, args.business_class, level=args.level)


@dataclass(frozen=True)
class Taking:
    """The programme, and the session of it, whose participants the operator chose, by their codes."""

    programme: str | None = None
    session: str | None = None

    def __str__(self) -> str:
        if self.programme is None:
            return ""
        return f"taking part in programme {self.programme}" + (f", session {self.session}" if self.session else "")


def _taking(args: argparse.Namespace) -> Taking:
    """The programme and session the options chose, by their codes."""
    if args.session is not None and args.programme is None:
        raise Refused("--session needs --programme: a session's code is its programme's")
    return Taking(args.programme, args.session)


def _send_at(typed: str | None) -> datetime | None:
    """When --at says to send it (None: at once); refused with the reason when it cannot be then."""
    if typed is None:
        return None
    try:
        moment = parse_send_time(typed, utcnow())
    except Invalid as rejected:
        raise Refused(f"--at {typed!r}: {Text('en')(rejected.reason, **rejected.params)}") from None
    return moment


def announce(database: Database, text: str, chosen: Segment, taking: Taking, officer_id: int | None,
             *, send_at: datetime | None = None, dry_run: bool, yes: bool, template_category: str) -> int:
    """Say who the announcement reaches, how many of them as WhatsApp's template (of `template_category`) and how it
    reads, ask (on a terminal, unless `yes`), then queue it."""
    text = text.strip()
    if not text:
        raise Refused("the announcement is empty")
    if len(text) > MAX_ANNOUNCEMENT:  # the same limit as in chat: WhatsApp's template takes no more
        raise Refused(f"the announcement is too long: {len(text):,} characters, at most {MAX_ANNOUNCEMENT:,}")
    with database.transaction() as registry:
        officer, segment = _bounded(registry, chosen, taking, officer_id)
        reach = registry.announcements.reach(segment, PUSH_CHANNELS)
        templates = registry.announcements.templates_needed(segment, PUSH_CHANNELS, send_at or registry.now)
    preview = announcement_text(text, "id", segment.scope)  # headed by the office of the author's scope
    author = _from_and_to(officer, segment, taking)
    print(f"reaches {reach.recipients:,} owners; {_left_out(reach)}")
    print(f"as WhatsApp's approved template ({template_category}, which Meta charges for): {templates:,}, who will "
          "not have written on WhatsApp in the 24 hours before it goes")
    print(f"goes: {_goes(send_at)}")
    print(f"as owners read it:\n\n{preview}\n")
    refused = _refused(reach.recipients, "nobody to send it to", f"Queue it for {reach.recipients:,} owners?",
                       dry_run=dry_run, yes=yes)
    if refused is not None:
        return refused
    with database.transaction() as registry:
        announcement_id, reach = registry.announcements.announce(text, segment, PUSH_CHANNELS, author,
                                                                 officer.id if officer else None, send_at=send_at)
    print(f"announcement {announcement_id} queued for {reach.recipients:,} owners, to go {_goes(send_at)}: "
          f"`tabe announce status {announcement_id}` follows it"
          + (f", `tabe announce cancel {announcement_id}` cancels it before then" if send_at else ""))
    return 0


def _goes(send_at: datetime | None) -> str:
    return f"on {Text('id').moment(send_at)}" if send_at is not None else "at once"


def _bounded(registry: Registry, chosen: Segment, taking: Taking,
             officer_id: int | None) -> tuple[OfficerInfo | None, Segment]:
    """The officer it is done as, if any, and the segment chosen inside their scope (the province's, without one)."""
    officer = _officer(registry, officer_id)
    return officer, _within_scope(chosen, officer.scope if officer else PROVINCE, *_taking_ids(registry, taking))


def _from_and_to(officer: OfficerInfo | None, segment: Segment, taking: Taking) -> str:
    """Say who does it and whom it is for; the author, for the record."""
    author = _actor()
    print(f"from: {author}" + (f", as officer {officer.id} ({officer.name})" if officer else ""))
    print(f"to: {_describe(segment, taking)}")
    return author


def _officer(registry: Registry, officer_id: int | None) -> OfficerInfo | None:
    if officer_id is None:
        return None
    officer = next((officer for officer in registry.officers.active() if officer.id == officer_id), None)
    if officer is None:
        raise Refused(f"no active officer has id {officer_id}: see `tabe officers list`")
    return officer


def _taking_ids(registry: Registry, taking: Taking) -> tuple[int | None, int | None]:
    """The ids of the programme and session chosen by their codes; refused when there is no such one."""
    if taking.programme is None:
        return None, None
    programme_id = registry.training.programme_id(taking.programme)
    if programme_id is None:
        raise Refused(f"no programme has the code {taking.programme!r}: see `tabe programs list`")
    if taking.session is None:
        return programme_id, None
    session_id = registry.training.session_id(programme_id, taking.session)
    if session_id is None:
        raise Refused(f"programme {taking.programme!r} has no session {taking.session!r}: see `tabe programs list`")
    return programme_id, session_id


def _within_scope(chosen: Segment, scope: str, programme_id: int | None, session_id: int | None) -> Segment:
    """The operator's choice inside the author's scope; a kabupaten outside it is refused, not quietly emptied."""
    if scope != PROVINCE and chosen.kabupaten not in (None, scope):
        raise Refused(f"the officer's scope is {_scope_name(scope)}: {_scope_name(chosen.kabupaten or '')} is outside it")
    return replace(chosen, scope=scope, programme_id=programme_id, session_id=session_id)


def _describe(segment: Segment, taking: Taking) -> str:
    """Who a segment chooses, in a line."""
    business = [part for part in (f"in {_scope_name(segment.kabupaten)}" if segment.kabupaten else "",
                                  f"sector {segment.sector}" if segment.sector else "",
                                  f"class {segment.business_class}" if segment.business_class else "",
                                  f"self-assessed {segment.level}" if segment.level else "") if part]
    words = [f"owners in {_scope_name(segment.scope)}"]
    if business:
        words.append(f"with a business {', '.join(business)}")
    if taking.programme:
        words.append(str(taking))
    return " ".join(words)


def _left_out(reach: Reach) -> str:
    return (f"left out: {reach.stopped:,} stopped announcements, {reach.not_asked:,} not yet asked whether they "
            f"want them (or did not answer), {reach.blocked:,} blocked the bot, {reach.no_chat:,} have no chat we can "
            "write to")


def _refused(count: int, nobody: str, question: str, *, dry_run: bool, yes: bool) -> int | None:
    """The exit status when nothing is to be queued (a dry run, nobody to write to, the operator's no), said why;
    None when it goes ahead."""
    if dry_run:
        print("dry run: nothing queued")
        return 0
    if not count:
        print(f"{nobody}: nothing queued", file=sys.stderr)
        return 1
    if not yes and not _confirmed(f"{question} [y/N] "):
        print("nothing queued")
        return 1
    return None


def _confirmed(question: str) -> bool:
    """The operator's yes on a terminal; elsewhere (a script, a pipe) nobody is there to answer, so no."""
    if not sys.stdin.isatty():
        print("not asked on a terminal: add --yes to queue it", file=sys.stderr)
        return False
    return input(question).strip().casefold() in {"y", "ya", "yes"}


def announcement_status(args: argparse.Namespace, settings: Settings) -> int:
    announcement_id: int = args.id
    recipients: bool = args.recipients
    with _registry(settings) as database, database.transaction() as registry:
        report = registry.announcements.report(announcement_id)
        rows = registry.announcements.recipients(announcement_id) if recipients and report else []
        carried = registry.announcements.carried(announcement_id)
        taking = _taking_codes(registry, report.segment) if report else Taking()
    if report is None:
        print(f"no announcement has id {announcement_id}", file=sys.stderr)
        return 1
    officer = f" as officer {report.officer_id}" if report.officer_id is not None else ""
    print(f"announcement {report.id}, queued {Text('id').moment(report.created_at)} by {report.author}{officer}")
    print(f"to: {_describe(report.segment, taking)}")
    if report.cancelled_at is not None:
        print(f"cancelled {Text('id').moment(report.cancelled_at)}, before it went")
    elif report.send_at is not None:
        print(f"to go {_goes(report.send_at)}")
    print(f"sent {report.sent:,}, delivered {report.delivered:,}, failed {report.failed:,}, "
          f"waiting {report.waiting:,}, cancelled {report.cancelled:,} (of {report.reach.recipients:,})")
    print(_left_out(report.reach))
    if carried:
        _print_table([("provider", "free text", "template")] + [
            (PROVIDERS.get(row.provider, row.provider), f"{row.free_text:,}", f"{row.template:,}") for row in carried])
    if recipients:
        _print_table([("owner", "channel", "status", "error")] + [
            (row.owner_name or "(deleted)", row.channel, row.status, row.error or "") for row in rows])
    return 0


def list_announcements(args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database, database.transaction() as registry:
        reports = registry.announcements.recent(limit=args.limit)
    _print_table([("id", "queued", "by", "reaches", "sent", "delivered", "failed", "waiting", "text")] + [
        (str(report.id), Text("id").moment(report.created_at), report.author, f"{report.reach.recipients:,}",
         f"{report.sent:,}", f"{report.delivered:,}", f"{report.failed:,}", f"{report.waiting:,}",
         _first_words(report)) for report in reports])
    if not reports:
        print("no announcements yet: queue one with `tabe announce --text …`")
    return 0


def _taking_codes(registry: Registry, segment: Segment) -> Taking:
    """The codes of the programme and session a segment chose."""
    programme = registry.training.programme(segment.programme_id) if segment.programme_id is not None else None
    session = registry.training.officer_session(segment.session_id, PROVINCE) if segment.session_id is not None \
        else None
    if session is not None:
        return Taking(session.programme_code, session.code)
    return Taking(programme.code if programme is not None else None)


_CANCELLED = {
    Cancelled.DONE: "announcement {id} cancelled: none of its messages will be sent",
    Cancelled.ALREADY: "announcement {id} was cancelled before",
    Cancelled.GONE: "announcement {id} cannot be cancelled: it went at once, or its time has come",
    Cancelled.UNKNOWN: "no announcement has id {id} within the officer's scope",
}


def cancel_announcement(args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database, database.transaction() as registry:
        officer = _officer(registry, args.officer)
        outcome = registry.announcements.cancel(args.id, officer.scope if officer else PROVINCE,
                                                officer.id if officer else None)
    print(_CANCELLED[outcome].format(id=args.id), file=sys.stdout if outcome is Cancelled.DONE else sys.stderr)
    return 0 if outcome is Cancelled.DONE else 1


def _first_words(report: Report) -> str:
    line = " ".join(report.text.split())
    return line if len(line) <= 40 else line[:39] + "…"


def _scope_name(scope: str) -> str:
    return "Provinsi Kalimantan Tengah" if scope == PROVINCE else region(scope).name


def _actor() -> str:
    """Who ran the command, for the audit trail."""
    return f"cli:{getpass.getuser()}"


# -- tabe survey -----------------------------------------------------------------------------



def start_survey(args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database:
        return survey(database, Kind(args.kind), _chosen(args), _taking(args), args.officer, dry_run=args.dry_run,
                      yes=args.yes)


def survey(database: Database, kind: Kind, chosen: Segment, taking: Taking, officer_id: int | None, *,
           dry_run: bool, yes: bool) -> int:
    """Say whom the survey asks and how its first message reads, ask (on a terminal, unless `yes`), then start it."""
    with database.transaction() as registry:
        officer, segment = _bounded(registry, chosen, taking, officer_id)
        owners, businesses = registry.follow_ups.survey_reach(segment, PUSH_CHANNELS)
    author = _from_and_to(officer, segment, taking)
    print(f"asks {owners:,} owners about {businesses:,} businesses; left out: owners who said \"berhenti\", owners no "
          "chat can reach, businesses recorded as closed")
    words = Text("id")
    invitation = FOLLOW_UP_FLOWS[kind].invitation(words, words(SAMPLE_BUSINESS))
    print(f"as owners read it:\n\n{as_plain_text(invitation)}\n")
    refused = _refused(owners, "nobody to ask", f"Start it for {owners:,} owners?", dry_run=dry_run, yes=yes)
    if refused is not None:
        return refused
    with database.transaction() as registry:
        survey_id, recipients = registry.follow_ups.start_survey(kind, segment, PUSH_CHANNELS, author,
                                                                 officer.id if officer else None)
    print(f"survey {survey_id} started: its first question queued for {recipients:,} owners; "
          f"`tabe survey status {survey_id}` follows it")
    return 0


def survey_status(args: argparse.Namespace, settings: Settings) -> int:
    survey_id: int = args.id
    with _registry(settings) as database, database.transaction() as registry:
        report = registry.follow_ups.survey_report(survey_id)
        taking = _taking_codes(registry, report.segment) if report else Taking()
    if report is None:
        raise Refused(f"no survey has id {survey_id}: see `tabe survey list`")
    officer = f" as officer {report.officer_id}" if report.officer_id is not None else ""
    print(f"survey {report.id} ({report.kind}), started {Text('id').moment(report.created_at)} by {report.author}"
          f"{officer}")
    print(f"to: {_describe(report.segment, taking)}")
    print(f"sent to {report.recipients:,} owners, about {report.asked:,} businesses")
    print(", ".join(f"{status} {count:,}" for status, count in report.counts.items()))
    print(f"response rate: {_rate(report)}")
    return 0


def list_surveys(_args: argparse.Namespace, settings: Settings) -> int:
    with _registry(settings) as database, database.transaction() as registry:
        reports = registry.follow_ups.surveys()
    _print_table([("id", "started", "by", "kind", "owners", "businesses", "done", "response rate")] + [
        (str(report.id), Text("id").moment(report.created_at), report.author, report.kind, f"{report.recipients:,}",
         f"{report.asked:,}", f"{report.counts[Status.DONE]:,}", _rate(report)) for report in reports])
    if not reports:
        print("no surveys yet: start one with `tabe survey start --kind …`")
    return 0


def _rate(report: SurveyReport) -> str:
    """The share answered whole, as a percentage; "-" for a survey that asked nobody."""
    return "-" if report.response_rate is None else f"{report.response_rate:.0%}"

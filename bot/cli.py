"""The `tabe` command."""

import argparse
import asyncio
import gc
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from bot import sample, worker
from bot.app import create_app
from bot.programme_file import ProgrammeFileError, apply_programmes, exact_kabupaten, read_programme_file
from bot.settings import Settings, load_settings
from bot.telegram import register_webhook
from bot.terminal import MAX_IDENTITY, chat
from flows.conversation import Conversations
from flows.i18n import Text
from flows.parsing import Invalid, parse_phone
from store.db import Database
from store.migrate import upgrade
from store.officers import PROVINCE
from store.regions import region
from store.training import ImportCounts, Tally


def _identity(text: str) -> str:
    if not 0 < len(text) <= MAX_IDENTITY:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_IDENTITY} characters, please")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tabe", description="The TABE bot of the UMKM registry of Kalimantan Tengah.")
    commands = parser.add_subparsers(dest="command", required=True)

    chat_parser = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat_parser.add_argument("--as", dest="identity", default=getpass.getuser(), type=_identity,
                             help="who you are: a mobile number (like a WhatsApp sender) or any name")

    db_parser = commands.add_parser("db", help="the registry database")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the database migrations")
    seed_parser = db_commands.add_parser("seed", help="add sample registered owners")
    seed_parser.add_argument("--owners", type=int, default=50)
    seed_parser.add_argument("--if-empty", action="store_true", help="only when no owner is registered yet")

    serve_parser = commands.add_parser("serve", help="run the web server: webhooks, browser chat, health check")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for all)")
    serve_parser.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 8000)")
    serve_parser.add_argument("--polling", action="store_true",
                              help="fetch Telegram updates by polling, for running without a public address")

    commands.add_parser("worker", help="run the worker that sends queued messages")

    programs_parser = commands.add_parser("programs", help="training programmes and their sessions")
    programs_commands = programs_parser.add_subparsers(dest="programs_command", required=True)
    import_parser = programs_commands.add_parser(
        "import", help="create and update programmes and sessions from a .csv or .yaml file (nothing is deleted)")
    import_parser.add_argument("file", type=Path)
    programs_commands.add_parser("list", help="each programme with its sessions ahead and seats taken")

    officers_parser = commands.add_parser("officers", help="officers of the Dinas who may announce")
    officers_commands = officers_parser.add_subparsers(dest="officers_command", required=True)
    add_parser = officers_commands.add_parser("add", help="add an officer")
    add_parser.add_argument("--name", required=True, type=_identity)
    add_parser.add_argument("--phone", type=_phone, help="their WhatsApp number")
    add_parser.add_argument("--telegram", help="their Telegram user id")
    add_parser.add_argument("--scope", required=True, type=_scope,
                            help="provinsi, or one kabupaten/kota by code (62.02) or name (Kotim)")
    officers_commands.add_parser("list", help="the active officers")
    remove_parser = officers_commands.add_parser("remove", help="deactivate an officer (kept for the audit trail)")
    remove_parser.add_argument("id", type=int)

    telegram_parser = commands.add_parser("telegram", help="Telegram's side of the setup")
    telegram_commands = telegram_parser.add_subparsers(dest="telegram_command", required=True)
    telegram_commands.add_parser("set-webhook", help="point Telegram at PUBLIC_BASE_URL/telegram/webhook")

    args = parser.parse_args(argv)
    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token in the URL
    logging.getLogger("transitions").setLevel(logging.WARNING)  # two lines for every message otherwise
    if args.command == "db" and args.db_command == "upgrade":
        upgrade(settings.database_url)
        return 0
    if args.command == "serve":
        return serve(settings, args.host, args.port or settings.port, args.polling)
    if args.command == "worker":
        worker.main(settings)
        return 0
    if args.command == "telegram":
        return set_webhook(settings)
    if args.command == "programs" and args.programs_command == "import":
        return import_programmes(settings, args.file)
    database = Database(settings.database_url)
    try:
        if args.command == "db":
            added = sample.seed(database, args.owners, only_if_empty=args.if_empty)
            print(f"sample owners added: {added}")
        elif args.command == "programs":
            list_programmes(database)
        elif args.command == "officers" and args.officers_command == "add":
            return add_officer(database, args.name, args.phone, args.telegram, args.scope)
        elif args.command == "officers" and args.officers_command == "remove":
            return remove_officer(database, args.id)
        elif args.command == "officers":
            list_officers(database)
        else:
            chat(Conversations(database), args.identity, sys.stdin, sys.stdout)
    finally:
        database.dispose()
    return 0


def serve(settings: Settings, host: str, port: int, polling: bool) -> int:
    if polling and settings.telegram_missing():
        print("--polling needs TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return 2
    print(f"Chat with the bot in a browser: http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/", flush=True)
    app = create_app(settings, polling=polling)
    # What is loaded by now lives as long as the process: kept out of the garbage collector's
    # full passes, which otherwise walk it all and pause every request for tens of milliseconds.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, access_log=False, proxy_headers=True, log_level="info")
    return 0


def set_webhook(settings: Settings) -> int:
    missing = settings.telegram_missing() + [
        name for name, value in (("TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret),
                                 ("PUBLIC_BASE_URL", settings.public_base_url)) if not value]
    if missing:
        print(f"set {', '.join(missing)} first", file=sys.stderr)
        return 2
    asyncio.run(register_webhook(settings))
    print(f"Telegram delivers updates to {settings.public_base_url}/telegram/webhook")
    return 0


def import_programmes(settings: Settings, path: Path) -> int:
    """Apply a programme file whole, or say everything wrong with it and change nothing."""
    try:
        programmes, sessions = read_programme_file(path)
    except ProgrammeFileError as error:
        for line, message in error.problems:
            print(f"{path}:{line}: {message}" if line else f"{path}: {message}", file=sys.stderr)
        return 1
    database = Database(settings.database_url)
    try:
        counts = apply_programmes(database, programmes, sessions)
    finally:
        database.dispose()
    print(describe_import(counts))
    return 0


def describe_import(counts: ImportCounts) -> str:
    """programmes: 1 created, 0 updated, 9 unchanged; sessions: …; and the seats given from waiting lists."""
    def tally(kind: str, counted: Tally) -> str:
        return f"{kind}: {counted.created} created, {counted.updated} updated, {counted.unchanged} unchanged"
    return (f"{tally('programmes', counts.programmes)}; {tally('sessions', counts.sessions)}\n"
            f"owners on a waiting list given a seat: {len(counts.promoted)}")


def list_programmes(database: Database) -> None:
    """A plain table of the programmes: sessions ahead, seats taken of those offered, the next start in WIB."""
    with database.transaction() as registry:
        summaries = registry.training.summaries()
    text = Text("id")
    _print_table([("code", "name", "sessions ahead", "seats taken/offered", "next start")] + [
        (code, name, str(ahead), f"{taken}/{offered}", text.moment(next_start) if next_start else "-")
        for code, name, ahead, taken, offered, next_start in summaries])
    if not summaries:
        print("no programmes yet: add them with `tabe programs import FILE`")


def _print_table(rows: list[tuple[str, ...]]) -> None:
    """Rows as aligned columns, the first row the heading; the last column is left ragged."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]))


def _scope(text: str) -> str:
    """`provinsi` (or 62) for the whole province, else one kabupaten/kota by code or exact name."""
    if text.casefold() in {"provinsi", "province", "prov", PROVINCE}:
        return PROVINCE
    try:
        return exact_kabupaten(text)
    except ValueError as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None


def _phone(text: str) -> str:
    try:
        return parse_phone(text)
    except Invalid:
        raise argparse.ArgumentTypeError(f"{text!r} is not a phone number") from None


def add_officer(database: Database, name: str, phone: str | None, telegram_id: str | None, scope: str) -> int:
    if phone is None and telegram_id is None:
        print("give --phone (their WhatsApp number) or --telegram (their Telegram user id), or both", file=sys.stderr)
        return 2
    with database.transaction() as registry:
        officer_id = registry.officers.add(name, phone, telegram_id, scope, actor=_actor())
    print(f"officer {officer_id} added: {name}, scope {_scope_name(scope)}")
    return 0


def list_officers(database: Database) -> None:
    with database.transaction() as registry:
        officers = registry.officers.active()
    _print_table([("id", "name", "phone", "telegram id", "scope")] + [
        (str(officer.id), officer.name, officer.phone or "-", officer.telegram_id or "-", _scope_name(officer.scope))
        for officer in officers])
    if not officers:
        print("no officers yet: add one with `tabe officers add`")


def remove_officer(database: Database, officer_id: int) -> int:
    with database.transaction() as registry:
        removed = registry.officers.remove(officer_id, actor=_actor())
    if not removed:
        print(f"no active officer has id {officer_id}", file=sys.stderr)
        return 1
    print(f"officer {officer_id} removed")
    return 0


def _scope_name(scope: str) -> str:
    return "Provinsi Kalimantan Tengah" if scope == PROVINCE else region(scope).name


def _actor() -> str:
    """Who ran the command, for the audit trail."""
    return f"cli:{getpass.getuser()}"

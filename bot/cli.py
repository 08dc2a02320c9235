"""The `tabe` command."""

import argparse
import getpass
import sys
from collections.abc import Sequence

from bot import sample
from bot.settings import load_settings
from bot.terminal import MAX_IDENTITY, chat
from flows.conversation import Conversations
from store.db import Database
from store.migrate import upgrade


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

    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "db" and args.db_command == "upgrade":
        upgrade(settings.database_url)
        return 0
    database = Database(settings.database_url)
    try:
        if args.command == "db":
            added = sample.seed(database, args.owners, only_if_empty=args.if_empty)
            print(f"sample owners added: {added}")
        else:
            chat(Conversations(database), args.identity, sys.stdin, sys.stdout)
    finally:
        database.dispose()
    return 0

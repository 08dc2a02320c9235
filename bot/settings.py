"""Settings from the environment, and from a .env file beside where the bot is started."""

import os
from dataclasses import dataclass

from dotenv import load_dotenv

from store.db import DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class Settings:
    database_url: str


def load_settings() -> Settings:
    load_dotenv(override=False)  # the real environment wins over the file
    return Settings(database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)

"""Settings from the environment, and from a .env file beside where the bot is started."""

import os
from dataclasses import dataclass

from dotenv import load_dotenv

from domain.channels import CLOUD_API, TEMPLATE_CATEGORIES, TWILIO
from flows.engine import Office
from store.db import DEFAULT_DATABASE_URL

TELEGRAM_API_BASE_URL = "https://api.telegram.org"
TWILIO_API_BASE_URL = "https://api.twilio.com"
TWILIO_CONTENT_API_BASE_URL = "https://content.twilio.com"
WHATSAPP_CLOUD_API_BASE_URL = "https://graph.facebook.com/v23.0"
WHATSAPP_PROVIDERS = (TWILIO, CLOUD_API)  # the ones WHATSAPP_PROVIDER chooses from
DEFAULT_PORT = 8000
DEFAULT_TWILIO_MPS = 10  # messages per second: what a Twilio WhatsApp sender gets unless upgraded
DEFAULT_TELEGRAM_MPS = 30  # messages per second: the Bot API's limit for one bot, over all chats
DEFAULT_CLOUD_MPS = 80  # messages per second: a Cloud API business number's throughput unless Meta raised it


@dataclass(frozen=True)
class Settings:
    """What the operator configures; a channel whose credentials are missing is off."""

    database_url: str = DEFAULT_DATABASE_URL
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_whatsapp_from: str = ""
    twilio_api_base_url: str = TWILIO_API_BASE_URL
    twilio_mps: int = DEFAULT_TWILIO_MPS
    twilio_announcement_content_sid: str = ""  # the approved template for owners outside WhatsApp's 24 hours
    twilio_content_api_base_url: str = TWILIO_CONTENT_API_BASE_URL
    whatsapp_provider: str = TWILIO  # which provider carries WhatsApp; the other is off
    whatsapp_cloud_phone_number_id: str = ""
    whatsapp_cloud_access_token: str = ""
    whatsapp_cloud_app_secret: str = ""  # signs the webhooks Meta sends (X-Hub-Signature-256)
    whatsapp_cloud_verify_token: str = ""  # what Meta echoes when it verifies the webhook's address
    whatsapp_cloud_api_base_url: str = WHATSAPP_CLOUD_API_BASE_URL
    whatsapp_cloud_mps: int = DEFAULT_CLOUD_MPS
    whatsapp_cloud_template_name: str = ""  # the approved template for owners outside WhatsApp's 24 hours
    whatsapp_cloud_template_language: str = "id"
    whatsapp_template_category: str = "marketing"  # the approved template's category, as Meta prices it
    telegram_mps: int = DEFAULT_TELEGRAM_MPS
    public_base_url: str = ""
    port: int = DEFAULT_PORT
    dinas_contact: str = ""  # how owners reach the Dinas for what the chat cannot answer, as owners should read it
    dinas_hours: str = ""  # the Dinas's opening hours, as owners should read them

    @property
    def dashboard_url(self) -> str:
        """Where officers open the dashboard: under PUBLIC_BASE_URL, else this machine's own server."""
        return (self.public_base_url or f"http://127.0.0.1:{self.port}") + "/admin"

    @property
    def office(self) -> Office:
        return Office(self.dinas_contact, self.dinas_hours)


def unchosen(settings: Settings, provider: str) -> list[str]:
    """What a WhatsApp provider needs before its own settings: to be WHATSAPP_PROVIDER's choice (the other is off)."""
    return [] if settings.whatsapp_provider == provider else [f"WHATSAPP_PROVIDER={provider}"]


class BadSetting(ValueError):
    """A setting in the environment that cannot be used; the message names it and says what it takes."""


def _whole_number(name: str, default: int, largest: int | None = None) -> int:
    """A setting that is a whole number from 1 (to `largest`, where there is one), or its default when it is not set."""
    given = os.environ.get(name) or str(default)
    if not given.isascii() or not given.isdigit() or not 1 <= int(given) <= (largest or int(given)):
        within = f"from 1 to {largest:,}" if largest else "of at least 1"
        raise BadSetting(f"{name} must be a whole number {within}, not {given!r}")
    return int(given)


def _one_of(name: str, default: str, allowed: tuple[str, ...]) -> str:
    """A setting that is one of `allowed` (in any case), or its default when it is not set."""
    given = (os.environ.get(name) or default).strip().lower()
    if given not in allowed:
        raise BadSetting(f"{name} must be one of {', '.join(allowed)}, not {given!r}")
    return given


def load_settings() -> Settings:
    """The settings from the environment (and .env); BadSetting for one that cannot be used."""
    load_dotenv(override=False)  # the real environment wins over the file
    env = os.environ.get
    return Settings(
        database_url=env("DATABASE_URL") or DEFAULT_DATABASE_URL,
        telegram_bot_token=env("TELEGRAM_BOT_TOKEN", ""),
        telegram_webhook_secret=env("TELEGRAM_WEBHOOK_SECRET", ""),
        telegram_api_base_url=(env("TELEGRAM_API_BASE_URL") or TELEGRAM_API_BASE_URL).rstrip("/"),
        twilio_account_sid=env("TWILIO_ACCOUNT_SID", ""),
        twilio_auth_token=env("TWILIO_AUTH_TOKEN", ""),
        twilio_whatsapp_from=env("TWILIO_WHATSAPP_FROM", ""),
        twilio_api_base_url=(env("TWILIO_API_BASE_URL") or TWILIO_API_BASE_URL).rstrip("/"),
        twilio_mps=_whole_number("TWILIO_MPS", DEFAULT_TWILIO_MPS),
        twilio_announcement_content_sid=env("TWILIO_ANNOUNCEMENT_CONTENT_SID", ""),
        twilio_content_api_base_url=(env("TWILIO_CONTENT_API_BASE_URL") or TWILIO_CONTENT_API_BASE_URL).rstrip("/"),
        whatsapp_provider=_one_of("WHATSAPP_PROVIDER", TWILIO, WHATSAPP_PROVIDERS),
        whatsapp_cloud_phone_number_id=env("WHATSAPP_CLOUD_PHONE_NUMBER_ID", ""),
        whatsapp_cloud_access_token=env("WHATSAPP_CLOUD_ACCESS_TOKEN", ""),
        whatsapp_cloud_app_secret=env("WHATSAPP_CLOUD_APP_SECRET", ""),
        whatsapp_cloud_verify_token=env("WHATSAPP_CLOUD_VERIFY_TOKEN", ""),
        whatsapp_cloud_api_base_url=(env("WHATSAPP_CLOUD_API_BASE_URL") or WHATSAPP_CLOUD_API_BASE_URL).rstrip("/"),
        whatsapp_cloud_mps=_whole_number("WHATSAPP_CLOUD_MPS", DEFAULT_CLOUD_MPS),
        whatsapp_cloud_template_name=env("WHATSAPP_CLOUD_TEMPLATE_NAME", ""),
        whatsapp_cloud_template_language=env("WHATSAPP_CLOUD_TEMPLATE_LANGUAGE") or "id",
        whatsapp_template_category=_one_of("WHATSAPP_TEMPLATE_CATEGORY", "marketing", tuple(TEMPLATE_CATEGORIES)),
        telegram_mps=_whole_number("TELEGRAM_MPS", DEFAULT_TELEGRAM_MPS),
        public_base_url=env("PUBLIC_BASE_URL", "").rstrip("/"),
        port=_whole_number("PORT", DEFAULT_PORT, 65_535),
        dinas_contact=env("DINAS_CONTACT", "").strip(),
        dinas_hours=env("DINAS_HOURS", "").strip(),
    )

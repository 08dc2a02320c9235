"""The chat channels by the names the registry stores them under, and what people call them."""

from datetime import datetime, timedelta

from domain.msgid import N_

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
BROWSER = "web"
TERMINAL = "terminal"

LABELS = {TELEGRAM: "Telegram", WHATSAPP: "WhatsApp", BROWSER: N_("Browser chat"), TERMINAL: N_("Terminal")}
PUSH_CHANNELS = (TELEGRAM, WHATSAPP)  # the channels we can write to first; a browser or terminal chat only answers
WHATSAPP_WINDOW = timedelta(hours=24)  # after the owner last wrote, free text; later, only an approved template
WINDOW_MARGIN = timedelta(minutes=10)  # the clocks of Twilio, WhatsApp and the registry need not agree
TWILIO = "twilio"  # the providers that carry WhatsApp, as settings choose them and reports count them
CLOUD_API = "cloud"
PROVIDERS = {TELEGRAM: "Telegram", TWILIO: "Twilio", CLOUD_API: "WhatsApp Cloud API"}  # who carried a message
# Meta's categories of approved templates, each priced on its own, in the officers' words.
TEMPLATE_CATEGORIES = {"marketing": N_("marketing"), "utility": N_("utility"),
                       "authentication": N_("authentication")}


def window_opened(now: datetime) -> datetime:
    """The moment after which an owner must have written for free text on WhatsApp at `now`: 24 hours, with a
    margin (the store counts with it in SQL)."""
    return now - (WHATSAPP_WINDOW - WINDOW_MARGIN)


def within_window(heard_at: datetime | None, now: datetime) -> bool:
    """Whether the owner wrote recently enough for free text on WhatsApp: inside 24 hours, with a margin."""
    return heard_at is not None and heard_at > window_opened(now)


def window_left(heard_at: datetime | None, now: datetime) -> timedelta:
    """How long free text can still be sent on WhatsApp (nothing once the window has closed)."""
    return max(timedelta(0), heard_at - window_opened(now)) if heard_at else timedelta(0)

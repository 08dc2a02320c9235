"""The chat channels by the names the registry stores them under, and what people call them."""

from domain.msgid import N_

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
BROWSER = "web"
TERMINAL = "terminal"

LABELS = {TELEGRAM: "Telegram", WHATSAPP: "WhatsApp", BROWSER: N_("Browser chat"), TERMINAL: N_("Terminal")}
PUSH_CHANNELS = (TELEGRAM, WHATSAPP)  # the channels we can write to first; a browser or terminal chat only answers

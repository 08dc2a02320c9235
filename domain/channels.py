"""The chat channels by the names the registry stores them under."""

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
BROWSER = "web"
TERMINAL = "terminal"

PUSH_CHANNELS = (TELEGRAM, WHATSAPP)  # the channels we can write to first; a browser or terminal chat only answers

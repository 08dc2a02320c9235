"""An owner's WhatsApp as the tests drive it: Twilio's signed form posts to the webhook, TwiML back."""

import uuid
import xml.etree.ElementTree as ElementTree

import httpx
from twilio.request_validator import RequestValidator

from bot.settings import Settings
from store.db import Database

PUBLIC = "https://tabe.example.id"  # what Twilio was told; the test server itself is on plain http
SENDER = "whatsapp:+6281234567890"


def whatsapp_settings(database: Database, **changes: str) -> Settings:
    return Settings(database_url=database.url, twilio_account_sid="AC" + "0" * 32, twilio_auth_token="secret-token",
                    twilio_whatsapp_from="whatsapp:+14155238886", public_base_url=PUBLIC, **changes)


class WhatsAppPhone:
    """An owner's WhatsApp as Twilio relays it: signed form posts to the webhook."""

    def __init__(self, client: httpx.Client, settings: Settings, sender: str = SENDER) -> None:
        self.client = client
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.sender = sender

    def post(self, path: str, fields: dict[str, str], signed_url: str | None = None) -> httpx.Response:
        signature = self.validator.compute_signature(signed_url or PUBLIC + path, fields)
        return self.client.post(path, data=fields, headers={"X-Twilio-Signature": signature,
                                                             "X-Forwarded-Proto": "https"})

    def message(self, body: str = "", message_sid: str | None = None, **extra: str) -> dict[str, str]:
        return {"MessageSid": message_sid or "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                "From": self.sender, "To": "whatsapp:+14155238886", "Body": body, "NumMedia": "0",
                "ProfileName": "Budi", "WaId": self.sender.removeprefix("whatsapp:+"), **extra}

    def send(self, fields: dict[str, str]) -> list[str]:
        response = self.post("/whatsapp/webhook", fields)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        return [message.text or "" for message in ElementTree.fromstring(response.text).iter("Message")]

    def say(self, text: str) -> str:
        return "\n\n".join(self.send(self.message(text)))

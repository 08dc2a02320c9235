"""An owner's WhatsApp as the tests drive it: Twilio's signed form posts to the webhook, and what comes back.

Replies come back as TwiML in the webhook's answer or, when they have buttons or a list, through Twilio's REST
API: with a FakeTwilio, the phone reads those from it (tests/interactive_view.py says how they read, and how a
transcript presses them). Without one, the settings point Twilio's APIs at a closed loopback port, so every reply
comes back as the numbered text of TwiML, as it does when Twilio's API cannot be reached.
"""

import json
import uuid
import xml.etree.ElementTree as ElementTree
from typing import Any

import httpx
from interactive_view import chosen, press_of, view
from twilio.request_validator import RequestValidator

from bot.settings import Settings
from bot.whatsapp_screens import Option
from fake_twilio import FakeTwilio, TwilioMessage
from store.db import Database

PUBLIC = "https://tabe.example.id"  # what Twilio was told; the test server itself is on plain http
SENDER = "whatsapp:+6281234567890"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "secret-token"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, so a connection is refused at once


def whatsapp_settings(database: Database, fake: FakeTwilio | None = None, **changes: str) -> Settings:
    """WhatsApp through Twilio for the tests: against `fake`, or with Twilio's REST APIs out of reach."""
    base_url = fake.base_url if fake is not None else UNREACHABLE
    apis = {"twilio_api_base_url": base_url, "twilio_content_api_base_url": base_url}
    return Settings(database_url=database.url, twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
                    twilio_whatsapp_from="whatsapp:+14155238886", public_base_url=PUBLIC, **(apis | changes))


def fake_twilio_for_phones() -> FakeTwilio:
    """A fake Twilio taking the credentials of whatsapp_settings."""
    return FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)


class WhatsAppPhone:
    """An owner's WhatsApp as Twilio relays it: signed form posts to the webhook."""

    def __init__(self, client: httpx.Client, settings: Settings, sender: str = SENDER,
                 fake: FakeTwilio | None = None) -> None:
        self.client = client
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.sender = sender
        self.fake = fake
        self.screens: list[list[Option]] = []  # the buttons and lists received, oldest first
        self.lists: list[bool] = []  # for each of them, whether it was a list

    def post(self, path: str, fields: dict[str, str], signed_url: str | None = None) -> httpx.Response:
        signature = self.validator.compute_signature(signed_url or PUBLIC + path, fields)
        return self.client.post(path, data=fields, headers={"X-Twilio-Signature": signature,
                                                             "X-Forwarded-Proto": "https"})

    def message(self, body: str = "", message_sid: str | None = None, **extra: str) -> dict[str, str]:
        return {"MessageSid": message_sid or "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID,
                "From": self.sender, "To": "whatsapp:+14155238886", "Body": body, "NumMedia": "0",
                "ProfileName": "Budi", "WaId": self.sender.removeprefix("whatsapp:+"), **extra}

    def press(self, option: Option, on_list: bool) -> dict[str, str]:
        """What Twilio posts when the owner taps a quick reply or a list row."""
        if on_list:
            return self.message(option.title, ListId=option.id, ListTitle=option.title)
        return self.message(option.title, ButtonPayload=option.id, ButtonText=option.title)

    def send(self, fields: dict[str, str]) -> list[str]:
        """Post a message; the replies it got, those through the REST API first (they went before the answer)."""
        before = len(self.fake.messages) if self.fake is not None else 0
        response = self.post("/whatsapp/webhook", fields)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        sent = [self._read(message) for message in self.fake.messages[before:]
                if message.to == self.sender] if self.fake is not None else []
        return [*sent, *(message.text or "" for message in ElementTree.fromstring(response.text).iter("Message"))]

    def say(self, text: str) -> str:
        """Type the text, or press the option a `[title]` names; the replies, joined."""
        press = press_of(text)
        if press is None:
            return "\n\n".join(self.send(self.message(text)))
        option = chosen(press, self.screens)
        return "\n\n".join(self.send(self.press(option, self.lists[-1 - press.back])))

    def _read(self, message: TwilioMessage) -> str:
        """A message as the owner sees it: its body, or its Content's body and buttons."""
        if message.content_sid is None or self.fake is None or message.content_sid not in self.fake.contents:
            return message.body or ""
        types: dict[str, Any] = self.fake.contents[message.content_sid]["types"]
        variables = json.loads(message.content_variables or "{}")
        kind, content = next(iter(types.items()))
        body = content["body"].replace("{{1}}", variables.get("1", ""))
        if kind == "twilio/list-picker":
            options = [Option(item["id"], item["item"], item["description"] if item["description"] != item["item"]
                             else "") for item in content["items"]]
        else:
            options = [Option(action["id"], action["title"]) for action in content["actions"]]
        self.screens.append(options)
        self.lists.append(kind == "twilio/list-picker")
        return view(body, options)

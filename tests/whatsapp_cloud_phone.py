"""An owner's WhatsApp through Meta's Cloud API as the tests drive it: signed notifications posted to the webhook,
in Meta's own format; the replies are what the fake Graph API received for the owner's number meanwhile."""

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
from fake_whatsapp_cloud import DEFAULT_TEMPLATE, CloudMessage, FakeCloudApi
from interactive_view import chosen, press_of, view

from bot.settings import CLOUD_API, Settings
from bot.whatsapp_screens import Option
from store.db import Database
from whatsapp_phone import SENDER

WEBHOOK = "/whatsapp/cloud/webhook"
APP_SECRET = "fake0cloud0app0secret"
VERIFY_TOKEN = "fake0cloud0verify0token"
WABA_ID = "102290129340398"  # the WhatsApp Business Account the notifications come for
DISPLAY_NUMBER = "15550783881"


def cloud_settings(database: Database, fake: FakeCloudApi, **changes: Any) -> Settings:
    """The Cloud API as WhatsApp's provider, its Graph API the fake's."""
    name, language = DEFAULT_TEMPLATE
    chosen_settings: dict[str, Any] = {
        "whatsapp_provider": CLOUD_API, "whatsapp_cloud_phone_number_id": fake.phone_number_id,
        "whatsapp_cloud_access_token": fake.access_token, "whatsapp_cloud_app_secret": APP_SECRET,
        "whatsapp_cloud_verify_token": VERIFY_TOKEN, "whatsapp_cloud_api_base_url": fake.base_url,
        "whatsapp_cloud_template_name": name, "whatsapp_cloud_template_language": language}
    return Settings(database_url=database.url, **(chosen_settings | changes))


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    """X-Hub-Signature-256 as Meta computes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notification(phone_number_id: str, messages: list[dict[str, Any]] | None = None,
                 statuses: list[dict[str, Any]] | None = None, sender: str = SENDER) -> dict[str, Any]:
    """A messages notification as Meta posts it: one entry, one change, the sender's profile beside its messages."""
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id}}
    if messages is not None:
        value["contacts"] = [{"profile": {"name": "Budi"}, "wa_id": wa_id(sender)}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]}


def wa_id(address: str) -> str:
    """A "whatsapp:+62…" address as Meta names the owner: digits only."""
    return address.removeprefix("whatsapp:+")


def wamid() -> str:
    return "wamid.HBgN" + uuid.uuid4().hex.upper() + "AA=="


def message(kind: str, content: dict[str, Any], sender: str = SENDER, message_id: str | None = None) -> dict[str, Any]:
    """One owner's message of a type ("text", "interactive", "image", "location"…) with its content."""
    return {"from": wa_id(sender), "id": message_id or wamid(), "timestamp": str(int(time.time())), "type": kind,
            kind: content}


def status(message_id: str, state: str, recipient: str = SENDER, error_code: int | None = None) -> dict[str, Any]:
    """A delivery report on a message we sent, as Meta posts it; a failure carries its error."""
    report: dict[str, Any] = {"id": message_id, "status": state, "timestamp": str(int(time.time())),
                              "recipient_id": wa_id(recipient)}
    if error_code is not None:
        report["errors"] = [{"code": error_code, "title": "Message undeliverable",
                             "message": "Message undeliverable", "error_data": {"details": "Message undeliverable"}}]
    return report


def options(sent: CloudMessage) -> list[Option]:
    """An interactive message's buttons or list rows, with the ids their presses send back."""
    interactive = sent.payload["interactive"]
    action = interactive["action"]
    if interactive["type"] == "button":
        return [Option(button["reply"]["id"], button["reply"]["title"]) for button in action["buttons"]]
    return [Option(row["id"], row["title"], row.get("description", ""))
            for section in action["sections"] for row in section["rows"]]


def read(sent: CloudMessage) -> str:
    """A message the owner received, as a transcript reads it."""
    if sent.type == "interactive":
        return view(sent.payload["interactive"]["body"]["text"], options(sent))
    if sent.type == "template":
        return sent.payload["template"]["components"][0]["parameters"][0]["text"]
    return sent.payload["text"]["body"]


class CloudPhone:
    """An owner's WhatsApp as Meta relays it: signed notifications to the webhook, replies through the Graph API."""

    def __init__(self, client: httpx.Client, settings: Settings, fake: FakeCloudApi, sender: str = SENDER) -> None:
        self.client = client
        self.settings = settings
        self.fake = fake
        self.sender = sender

    def post(self, payload: dict[str, Any], secret: str = APP_SECRET) -> httpx.Response:
        body = json.dumps(payload).encode()
        return self.client.post(WEBHOOK, content=body, headers={"Content-Type": "application/json",
                                                                "X-Hub-Signature-256": signature(body, secret)})

    def notify(self, messages: list[dict[str, Any]] | None = None,
               statuses: list[dict[str, Any]] | None = None) -> httpx.Response:
        return self.post(notification(self.settings.whatsapp_cloud_phone_number_id, messages, statuses, self.sender))

    def send(self, sent: dict[str, Any]) -> list[str]:
        """Post one message; what the owner received for it, each as a transcript reads it."""
        before = len(self.fake.sent(self.sender))
        response = self.notify([sent])
        assert response.status_code == 200, response.text
        return [read(received) for received in self.fake.sent(self.sender)[before:]]

    def say(self, says: str) -> str:
        """Type a message, or press `[title]` on a button or list row; the replies, joined."""
        press = press_of(says)
        if press is None:
            return "\n\n".join(self.send(message("text", {"body": says}, self.sender)))
        interactive = [sent for sent in self.fake.sent(self.sender) if sent.type == "interactive"]
        option = chosen(press, [options(sent) for sent in interactive])
        kind = "button_reply" if interactive[-1 - press.back].payload["interactive"]["type"] == "button" \
            else "list_reply"
        pressed = {"id": option.id, "title": option.title,
                   **({"description": option.description} if option.description else {})}
        return "\n\n".join(self.send(message("interactive", {"type": kind, kind: pressed}, self.sender)))

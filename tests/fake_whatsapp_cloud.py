"""A fake of Meta's Graph API for WhatsApp (the Cloud API's messages endpoint) on loopback, for tests and benchmarks.

It answers `POST /{version}/{phone number id}/messages` as Meta does: the bearer token checked (401, error 190),
the payload checked against WhatsApp's limits (error 100 for what the endpoint cannot read, 131009 for a value
WhatsApp refuses, 132001 for a template it does not know, 132018 for a parameter with a newline), success as
{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid…"}]}, and every refusal in
Meta's error JSON {"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}.

Tests steer it: `refuse_interactive()` answers buttons and lists 131009, `close_window(number)` makes free text to that number answer 131047 (more than 24 hours since
the owner wrote), `not_on_whatsapp(number)` answers 131026 (undeliverable), `rate_limit_next(n)` answers 130429.

As a separate process (for benchmarks), printing its base URL once it listens:

    .venv/bin/python tests/fake_whatsapp_cloud.py --port 8083 [--enforce-limits --mps 80]

There, `GET /_fake/stats` counts the requests, the messages accepted and the 130429s answered, and `GET
/_fake/taken/NUMBER` hands over the payloads accepted for a number since it was last asked (bench/webhook.py
checks every reply so), forgetting them. With
`enforce_limits` it holds the number to its messages per second as Meta does: a message that would make more
than `mps` in any one second is answered 400, error 130429. Off by default, so tests run at full speed.
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import BackgroundApp

API_VERSION = "v23.0"
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_ACCESS_TOKEN = "fake0cloud0access0token0for0loopback"
DEFAULT_TEMPLATE = ("tabe_pengumuman", "id")  # an approved template's name and language
DEFAULT_MPS = 80  # a business number's messages per second unless Meta raised it
# WhatsApp's limits (Meta's documentation of interactive messages)
TEXT_BODY = 4096
INTERACTIVE_BODY = 1024
MOST_BUTTONS = 3
BUTTON_TITLE = 20
MOST_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
OPTION_ID = 256
THROTTLED, OUTSIDE_WINDOW, UNDELIVERABLE = 130429, 131047, 131026

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CloudRequest:
    """One messages request the fake answered, accepted or not, with Meta's error code when refused."""

    payload: Any
    status: int
    code: int | None


@dataclass(frozen=True, slots=True)
class CloudMessage:
    """A message the fake accepted, as the project sent it."""

    id: str
    to: str  # the number as sent: digits, without "+"
    type: str
    payload: dict[str, Any]


def meta_error(status: int, code: int, title: str, details: str = "", subcode: int | None = None,
               kind: str = "OAuthException") -> Answer:
    """Meta's error body: "(#code) title" as its message, the details WhatsApp adds, a trace id."""
    error: dict[str, Any] = {"message": f"(#{code}) {title}", "type": kind, "code": code}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    return status, {"error": error}


def invalid_parameter(details: str) -> Answer:
    return meta_error(400, 131009, "Parameter value is not valid", details)


def unreadable(details: str) -> Answer:
    return meta_error(400, 100, "Invalid parameter", details)


def _digits(number: str) -> str:
    """A number as WhatsApp ids it: "whatsapp:+62…", "+62…" and "62…" name the same person."""
    return number.removeprefix("whatsapp:").removeprefix("+")


def _json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=status,
                    media_type="application/json")


class FakeCloudApi(BackgroundApp):
    """A fake Graph API messages endpoint: checks the token and payloads, records messages, answers like Meta.

    Thread-safe: the server runs in its own thread and event loop; tests read and steer it from theirs.
    """

    def __init__(self, phone_number_id: str = DEFAULT_PHONE_NUMBER_ID, access_token: str = DEFAULT_ACCESS_TOKEN,
                 host: str = "127.0.0.1", port: int = 0, enforce_limits: bool = False, mps: int = DEFAULT_MPS,
                 templates: frozenset[tuple[str, str]] = frozenset({DEFAULT_TEMPLATE})) -> None:
        self.phone_number_id = phone_number_id
        self.access_token = access_token
        self.enforce_limits = enforce_limits
        self.mps = mps
        self.templates = templates
        super().__init__(host, port)
        self._lock = threading.Lock()
        self._requests: list[CloudRequest] = []
        self._messages: list[CloudMessage] = []
        self._rate_limited = 0
        self._accepted_at: deque[float] = deque()  # messages let through within the last second
        self._too_many = 0
        self._closed_windows: set[str] = set()
        self._undeliverable: set[str] = set()
        self._interactive_refused = False
        self.app = Starlette(routes=[
            Route("/_fake/stats", self._stats, methods=["GET"]),
            Route("/_fake/taken/{number}", self._taken, methods=["GET"]),
            Route(f"/{API_VERSION}/{{phone_number_id}}/messages", self._message, methods=["POST"]),
        ])

    # ---- running -------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The value for WHATSAPP_CLOUD_API_BASE_URL: the host and the Graph API's version."""
        return f"{self.origin}/{API_VERSION}"

    # ---- what happened -------------------------------------------------------------------------------

    @property
    def messages(self) -> list[CloudMessage]:
        """The messages accepted so far, in order (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> list[CloudRequest]:
        """Every messages request answered so far, refused ones included (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def too_many_requests(self) -> int:
        """How many messages were answered 130429, asked for or over the messages per second."""
        with self._lock:
            return self._too_many

    def sent(self, number: str) -> list[CloudMessage]:
        """The messages accepted for a number, given as "whatsapp:+62…", "+62…" or "62…"."""
        return [message for message in self.messages if message.to == _digits(number)]

    def reset(self) -> None:
        """Forget requests, messages and failure modes."""
        with self._lock:
            self._requests.clear()
            self._messages.clear()
            self._rate_limited = 0
            self._accepted_at.clear()
            self._too_many = 0
            self._closed_windows.clear()
            self._undeliverable.clear()
            self._interactive_refused = False

    # ---- steering ------------------------------------------------------------------------------------

    def close_window(self, number: str) -> None:
        """The owner last wrote more than 24 hours ago, by Meta's clock: free text answers 131047, a template goes."""
        with self._lock:
            self._closed_windows.add(_digits(number))

    def not_on_whatsapp(self, number: str) -> None:
        """Messages to this number answer 131026, Message undeliverable."""
        with self._lock:
            self._undeliverable.add(_digits(number))

    def refuse_interactive(self) -> None:
        """Answer every interactive message with 131009, as Meta answers buttons or a list it will not show."""
        with self._lock:
            self._interactive_refused = True

    def rate_limit_next(self, count: int) -> None:
        """Answer the next `count` authenticated messages with 130429, Rate limit hit."""
        with self._lock:
            self._rate_limited = count

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def _message(self, request: Request) -> Response:
        body = await request.body()
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = None
        status, answer = (self._refusal(request) or self._invalid(payload) or self._undelivered(payload)
                          or self._throttled() or self._accept(payload))
        code = answer["error"]["code"] if status != 200 else None
        with self._lock:
            self._requests.append(CloudRequest(payload, status, code))
        return _json_response(status, answer)

    async def _stats(self, _request: Request) -> Response:
        with self._lock:
            counts = {"requests": len(self._requests), "messages": len(self._messages),
                      "too_many_requests": self._too_many}
        return _json_response(200, counts)

    async def _taken(self, request: Request) -> Response:
        number = request.path_params["number"]
        with self._lock:
            taken = [message.payload for message in self._messages if message.to == number]
            self._messages = [message for message in self._messages if message.to != number]
        return _json_response(200, {"messages": taken})

    def _refusal(self, request: Request) -> Answer | None:
        """Meta's answer when the request never reaches a message: a bad token, another business number."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token != self.access_token:
            return meta_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.path_params["phone_number_id"] != self.phone_number_id:
            object_id = request.path_params["phone_number_id"]
            return meta_error(400, 100, f"Unsupported post request. Object with ID '{object_id}' does not exist, "
                                        "cannot be loaded due to missing permissions, or does not support this "
                                        "operation", subcode=33, kind="GraphMethodException")
        return None

    def _invalid(self, payload: Any) -> Answer | None:
        """What Meta refuses before sending anything, in the order it checks."""
        if not isinstance(payload, dict):
            return unreadable("The request body is not valid JSON.")
        if payload.get("messaging_product") != "whatsapp":
            return unreadable("The parameter messaging_product is required.")
        to = payload.get("to")
        if not isinstance(to, str) or not _digits(to).isdecimal():
            return unreadable("The parameter to is required.")
        kind = payload.get("type", "text")
        content = payload.get(kind)
        if not isinstance(content, dict):
            return unreadable(f"The parameter {kind} is required.")
        if kind == "text":
            return _invalid_text(content)
        if kind == "interactive":
            with self._lock:
                if self._interactive_refused:
                    return invalid_parameter("Interactive messages are refused here (the test asked).")
            return _invalid_interactive(content)
        if kind == "template":
            return self._invalid_template(content)
        return unreadable(f"Unsupported message type {kind!r}.")

    def _invalid_template(self, template: dict[str, Any]) -> Answer | None:
        language = template.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if (template.get("name"), code) not in self.templates:
            return meta_error(404, 132001, "Template name does not exist in the translation",
                              f"template name ({template.get('name')}) does not exist in {code}")
        components = template.get("components")
        body = [component for component in components or [] if isinstance(component, dict)
                and component.get("type") == "body"]
        parameters = body[0].get("parameters") if body else None
        if not isinstance(parameters, list) or len(parameters) != 1 or not isinstance(parameters[0], dict) \
                or not isinstance(parameters[0].get("text"), str):
            return meta_error(400, 132000, "Number of parameters does not match the expected number of params",
                              "body: number of localizable_params (0) does not match the expected number of "
                              "params (1)")
        text = parameters[0]["text"]
        if not text or "\n" in text or "\t" in text or "    " in text:
            return meta_error(400, 132018, "There was an issue with the parameters in your template.",
                              "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
        return None

    def _undelivered(self, payload: dict[str, Any]) -> Answer | None:
        """The owner cannot be reached, or (free text) wrote more than 24 hours ago."""
        to = _digits(payload["to"])
        with self._lock:
            if to in self._undeliverable:
                return meta_error(400, UNDELIVERABLE, "Message undeliverable",
                                  "Message failed to send because the recipient is not a valid WhatsApp user.")
            if to in self._closed_windows and payload.get("type", "text") != "template":
                return meta_error(400, OUTSIDE_WINDOW, "Re-engagement message",
                                  "Message failed to send because more than 24 hours have passed since the "
                                  "customer last replied to this number.")
        return None

    def _throttled(self) -> Answer | None:
        """130429 when asked to, or (enforcing limits) beyond `mps` messages in any one second."""
        with self._lock:
            now = time.monotonic()
            while self._accepted_at and self._accepted_at[0] <= now - 1:
                self._accepted_at.popleft()
            if self._rate_limited > 0:
                self._rate_limited -= 1
            elif not self.enforce_limits:
                return None
            elif len(self._accepted_at) < self.mps:
                self._accepted_at.append(now)
                return None
            self._too_many += 1
        return meta_error(400, THROTTLED, "Rate limit hit", "Message failed to send because there were too many "
                                                            "messages sent from this phone number in a short period of "
                                                            "time", subcode=2494055)

    def _accept(self, payload: dict[str, Any]) -> Answer:
        kind = payload.get("type", "text")
        message = CloudMessage("wamid." + base64.b64encode(uuid.uuid4().bytes * 2).decode(), _digits(payload["to"]),
                               kind, payload)
        with self._lock:
            self._messages.append(message)
        sent: dict[str, Any] = {"id": message.id, **({"message_status": "accepted"} if kind == "template" else {})}
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": payload["to"], "wa_id": message.to}],
                     "messages": [sent]}


def _invalid_text(text: dict[str, Any]) -> Answer | None:
    body = text.get("body")
    if not isinstance(body, str) or not body:
        return meta_error(400, 131008, "Required parameter is missing", "The parameter text['body'] is required.")
    if len(body) > TEXT_BODY:
        return invalid_parameter(f"Param text['body'] must be at most {TEXT_BODY} characters long.")
    return None


def _invalid_interactive(interactive: dict[str, Any]) -> Answer | None:
    """WhatsApp's limits on reply buttons and lists; 131009 naming what is over one."""
    body = interactive.get("body")
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text:
        return meta_error(400, 131008, "Required parameter is missing", "The parameter interactive['body'] is required.")
    if len(text) > INTERACTIVE_BODY:
        return invalid_parameter(f"Param interactive['body']['text'] must be at most {INTERACTIVE_BODY} characters.")
    action = interactive.get("action")
    if not isinstance(action, dict):
        return meta_error(400, 131008, "Required parameter is missing", "The parameter interactive['action'] is required.")
    if interactive.get("type") == "button":
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= MOST_BUTTONS:
            return invalid_parameter(f"Param interactive['action']['buttons'] must have 1 to {MOST_BUTTONS} buttons.")
        replies = [button.get("reply") if isinstance(button, dict) and button.get("type") == "reply" else None
                   for button in buttons]
        if not all(isinstance(reply, dict) for reply in replies):
            return invalid_parameter("Param interactive['action']['buttons'][]['reply'] is required.")
        return _invalid_options(replies, "buttons", BUTTON_TITLE, unique_titles=True)
    if interactive.get("type") == "list":
        button = action.get("button")
        if not isinstance(button, str) or not button or len(button) > LIST_BUTTON:
            return invalid_parameter(f"Param interactive['action']['button'] must be 1 to {LIST_BUTTON} characters.")
        sections = action.get("sections")
        if not isinstance(sections, list) or not sections or not all(
                isinstance(section, dict) and isinstance(section.get("rows"), list) for section in sections):
            return invalid_parameter("Param interactive['action']['sections'] is required.")
        rows = [row for section in sections for row in section["rows"]]
        if not 1 <= len(rows) <= MOST_ROWS or not all(isinstance(row, dict) for row in rows):
            return invalid_parameter(f"Param interactive['action']['sections'] must have 1 to {MOST_ROWS} rows in all.")
        if not all(isinstance(row.get("description", ""), str) and len(row.get("description", "")) <= ROW_DESCRIPTION
                   for row in rows):
            return invalid_parameter(f"Param interactive['action']['sections'][]['rows'][]['description'] must be at "
                                     f"most {ROW_DESCRIPTION} characters.")
        return _invalid_options(rows, "rows", ROW_TITLE, unique_titles=False)
    return unreadable(f"Unsupported interactive type {interactive.get('type')!r}.")


def _invalid_options(options: list[dict[str, Any]], name: str, longest_title: int, unique_titles: bool) -> Answer | None:
    """Each button or row: an id of at most 256 characters and a title within the limit, ids (and button titles)
    unique."""
    ids = [option.get("id") for option in options]
    titles = [option.get("title") for option in options]
    if not all(isinstance(id_, str) and 1 <= len(id_) <= OPTION_ID for id_ in ids):
        return invalid_parameter(f"Param {name}[]['id'] must be 1 to {OPTION_ID} characters.")
    if not all(isinstance(title, str) and 1 <= len(title) <= longest_title for title in titles):
        return invalid_parameter(f"Param {name}[]['title'] must be 1 to {longest_title} characters.")
    if len(set(ids)) != len(ids) or (unique_titles and len(set(titles)) != len(titles)):
        return invalid_parameter(f"Param {name} must be unique.")
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake Cloud API messages endpoint until interrupted.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8083)
    parser.add_argument("--phone-number-id", default=DEFAULT_PHONE_NUMBER_ID)
    parser.add_argument("--access-token", default=DEFAULT_ACCESS_TOKEN)
    parser.add_argument("--enforce-limits", action="store_true", help="answer 130429 beyond --mps messages a second")
    parser.add_argument("--mps", type=int, default=DEFAULT_MPS)
    args = parser.parse_args()
    FakeCloudApi(args.phone_number_id, args.access_token, host=args.host, port=args.port,
                 enforce_limits=args.enforce_limits, mps=args.mps).serve_until_interrupted(
        lambda fake: f"FAKE_CLOUD_API_BASE_URL={fake.base_url} PHONE_NUMBER_ID={fake.phone_number_id}")


if __name__ == "__main__":
    main()

"""A fake Twilio REST API (Messages, and the Content API's resources) on loopback, for tests and benchmarks.

The real twilio client, with its aiohttp-based AsyncTwilioHttpClient, talks to it over HTTP:

    with FakeTwilio() as fake:
        http_client = AsyncTwilioHttpClient()          # inside a coroutine: it opens an aiohttp session
        client = Client(fake.account_sid, fake.auth_token, http_client=http_client)
        client.api.base_url = fake.base_url            # the one line that redirects client.messages
        client.region = client.edge = None             # see below
        message = await client.messages.create_async(to="whatsapp:+62...", from_="whatsapp:+1...", body="Halo")
        await http_client.close()                      # closes the aiohttp session

Pointing the client at another base URL (twilio 9.x; this is what TWILIO_API_BASE_URL must do):
`client.messages` is `client.api.account.messages`; every URL it builds is `client.api.absolute_url(uri)`, i.e.
`client.api.base_url` ("https://api.twilio.com", read at each request) + "/2010-04-01/Accounts/{sid}/Messages.json".
So set `client.api.base_url = "http://127.0.0.1:PORT"` (no trailing path; `client.api` is created once and
cached by the Client, so the assignment sticks). Only the `api` domain moves: other domains (client.content,
client.messaging, ...) have their own `base_url`.
Also keep `client.region` and `client.edge` None: when either is set (also from the TWILIO_REGION / TWILIO_EDGE
environment variables) `ClientBase.get_hostname` rewrites the host as `product.edge.region.twilio.com`, and it
splits "127.0.0.1:PORT" on dots as if it were such a host name, mangling it.

How the client reads an error (twilio/base/version.py `Version.exception`): a JSON body with "type", "title",
"status" and "code" becomes a TwilioServiceException (RFC 9457); anything else becomes a TwilioRestException
with `.status` = the HTTP status and `.code` = the body's "code". Twilio's Messages API answers in the legacy
shape {"code", "message", "more_info", "status"}, which is what this fake sends.

The Content API (`client.content`, its own `base_url`, here the same origin) makes Content resources: `POST
/v1/Content` takes the JSON a ContentCreateRequest sends, checks `twilio/quick-reply` and `twilio/list-picker` against
Twilio's limits (a body of at most 1,024 characters; 1 to 10 actions with titles of at most 20 and ids of at most
200; a button of at most 20 and 1 to 10 items of at most 24, each with an id and a description of at most 72), and
answers 201 with the resource and its "HX…" sid, or 400 with Twilio's error 20001 and what is wrong.
`fail_contents(count)` answers the next creates 500.

As a separate process (for benchmarks), printing its base URL once it listens:

    .venv/bin/python tests/fake_twilio.py --port 8082 [--account-sid AC... --auth-token ...] [--enforce-limits --mps 10]

There, `GET /_fake/stats` counts the requests, the messages created and the 429s answered, and `GET
/_fake/taken/NUMBER` hands over the messages created for a number (digits, no "+") since it was last asked
(bench/webhook.py checks every reply so), forgetting them.

With `enforce_limits` (`--enforce-limits`) it holds the sender to its messages per second as Twilio does: a
create that would make more than `mps` in any one second is answered 429, Twilio error 20429. Off by
default, so tests run at full speed.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import BackgroundApp

DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake0auth0token0for0loopback0tests"
API_VERSION = "2010-04-01"
DEFAULT_MPS = 10  # what a WhatsApp sender gets unless Twilio raised it
CONTENT_TYPES = ("twilio/quick-reply", "twilio/list-picker", "twilio/text")

Reply = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class TwilioRequest:
    """One Messages request the fake answered, accepted or not, with the Twilio error code when refused."""

    params: dict[str, Any]
    status: int
    code: int | None


@dataclass(frozen=True, slots=True)
class TwilioMessage:
    """A message the fake accepted (201), as the project sent it."""

    sid: str
    to: str
    from_: str | None
    body: str | None
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    params: dict[str, Any]


def twilio_error(status: int, code: int, message: str) -> Reply:
    """Twilio's legacy error body, the one the Messages API answers with."""
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return status, {"code": code, "message": message, "more_info": more_info, "status": status}


def _json_response(status: int, body: dict[str, Any]) -> Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    return Response(content, status_code=status, media_type="application/json")


def _form(body: bytes) -> dict[str, Any]:
    # Repeated fields (MediaUrl, PersistentAction) become lists, as Twilio reads them.
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def _basic_auth(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _address(number: str) -> str:
    """A To number without its channel prefix, so "whatsapp:+62..." and "+62..." name the same person."""
    return number.split(":", 1)[1] if ":" in number else number


def _rfc2822_now() -> str:
    return format_datetime(datetime.now(timezone.utc).replace(microsecond=0))  # "Tue, 05 Mar 2024 01:02:03 +0000"


class FakeTwilio(BackgroundApp):
    """A fake Twilio Messages API: checks basic auth, records messages, answers like Twilio, fails on request.

    Thread-safe: the server runs in its own thread and event loop; tests read and steer it from theirs.
    """

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        enforce_limits: bool = False,
        mps: int = DEFAULT_MPS,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.enforce_limits = enforce_limits
        self.mps = mps
        super().__init__(host, port)
        self._lock = threading.Lock()
        self._requests: list[TwilioRequest] = []
        self._messages: list[TwilioMessage] = []
        self._resources: dict[str, dict[str, Any]] = {}
        self._rate_limited = 0
        self._created_at: deque[float] = deque()  # creates let through within the last second
        self._too_many = 0
        self._unreachable: dict[str, tuple[int, str]] = {}
        self._contents: dict[str, dict[str, Any]] = {}
        self._failing_contents = 0
        accounts = f"/{API_VERSION}/Accounts/{{account_sid}}"
        self.app = Starlette(
            routes=[
                Route("/_fake/stats", self._stats, methods=["GET"]),
                Route("/_fake/taken/{number}", self._taken, methods=["GET"]),
                Route(f"{accounts}/Messages.json", self._create_message, methods=["POST"]),
                Route(f"{accounts}/Messages/{{sid}}.json", self._fetch_message, methods=["GET"]),
                Route("/v1/Content", self._create_content, methods=["POST"]),
                Route("/v1/Content/{sid}", self._fetch_content, methods=["GET"]),
            ]
        )

    # ---- running -------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The value for `client.api.base_url`."""
        return self.origin

    # ---- what happened -------------------------------------------------------------------------------

    @property
    def messages(self) -> list[TwilioMessage]:
        """The messages accepted so far, in order (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> list[TwilioRequest]:
        """Every Messages request answered so far, refused ones included (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def too_many_requests(self) -> int:
        """How many creates were answered 429, asked for or over the messages per second."""
        with self._lock:
            return self._too_many

    @property
    def contents(self) -> dict[str, dict[str, Any]]:
        """The Content resources made so far, by sid (a copy)."""
        with self._lock:
            return dict(self._contents)

    def sent(self, to: str) -> list[str | None]:
        """The bodies accepted for a number, given with or without its "whatsapp:" prefix."""
        return [message.body for message in self.messages if _address(message.to) == _address(to)]

    def reset(self) -> None:
        """Forget requests, messages and failure modes."""
        with self._lock:
            self._requests.clear()
            self._messages.clear()
            self._resources.clear()
            self._rate_limited = 0
            self._created_at.clear()
            self._too_many = 0
            self._unreachable.clear()
            self._contents.clear()
            self._failing_contents = 0

    # ---- steering ------------------------------------------------------------------------------------

    def rate_limit_next(self, count: int) -> None:
        """Answer the next `count` authenticated requests with 429, Twilio error 20429."""
        with self._lock:
            self._rate_limited = count

    def not_on_whatsapp(self, number: str) -> None:
        """Messages to this number answer 400, Twilio error 63003 (the channel cannot find the To address)."""
        self.refuse(number, 63003, "Channel could not find To address")

    def refuse(self, number: str, code: int, message: str) -> None:
        """Messages to this number answer 400 with this Twilio error (21610 unsubscribed, 21211 invalid number…)."""
        with self._lock:
            self._unreachable[_address(number)] = (code, message)

    def fail_contents(self, count: int) -> None:
        """Answer the next `count` Content creates with 500, as an outage would."""
        with self._lock:
            self._failing_contents = count

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def _create_content(self, request: Request) -> Response:
        if _basic_auth(request) != (self.account_sid, self.auth_token):
            return _json_response(*twilio_error(401, 20003, "Authenticate"))
        with self._lock:
            failing, self._failing_contents = self._failing_contents > 0, max(0, self._failing_contents - 1)
        if failing:
            return _json_response(*twilio_error(500, 20500, "Internal Server Error"))
        try:
            payload = json.loads(await request.body())
        except ValueError:
            return _json_response(*twilio_error(400, 20001, "Invalid JSON"))
        problem = _content_problem(payload)
        if problem:
            return _json_response(*twilio_error(400, 20001, problem))
        sid = "HX" + uuid.uuid4().hex
        now = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        resource = {"sid": sid, "account_sid": self.account_sid, "friendly_name": payload.get("friendly_name", ""),
                    "language": payload["language"], "variables": payload.get("variables") or {},
                    "types": payload["types"], "url": f"https://content.twilio.com/v1/Content/{sid}",
                    "date_created": now, "date_updated": now,
                    "links": {"approval_create": f"https://content.twilio.com/v1/Content/{sid}/ApprovalRequests/whatsapp",
                              "approval_fetch": f"https://content.twilio.com/v1/Content/{sid}/ApprovalRequests"}}
        with self._lock:
            self._contents[sid] = resource
        return _json_response(201, resource)

    async def _fetch_content(self, request: Request) -> Response:
        if _basic_auth(request) != (self.account_sid, self.auth_token):
            return _json_response(*twilio_error(401, 20003, "Authenticate"))
        with self._lock:
            resource = self._contents.get(request.path_params["sid"])
        if resource is None:
            return _json_response(*twilio_error(404, 20404, f"The requested resource {request.url.path} was not found"))
        return _json_response(200, resource)

    async def _create_message(self, request: Request) -> Response:
        params = _form(await request.body())
        status, body = self._refusal(request) or self._throttled() or self._create(request.url.path, params)
        code = body.get("code") if status >= 400 else None
        with self._lock:
            self._requests.append(TwilioRequest(params, status, code))
        return _json_response(status, body)

    async def _fetch_message(self, request: Request) -> Response:
        refused = self._refusal(request)
        if refused:
            return _json_response(*refused)
        with self._lock:
            resource = self._resources.get(request.path_params["sid"])
        if resource is None:
            return _json_response(*twilio_error(404, 20404, f"The requested resource {request.url.path} was not found"))
        return _json_response(200, resource)

    async def _stats(self, request: Request) -> Response:
        with self._lock:
            counts = {"requests": len(self._requests), "messages": len(self._messages),
                      "too_many_requests": self._too_many}
        return _json_response(200, counts)

    async def _taken(self, request: Request) -> Response:
        number = "+" + request.path_params["number"]
        with self._lock:
            taken = [message.params for message in self._messages if _address(message.to) == number]
            self._messages = [message for message in self._messages if _address(message.to) != number]
        return _json_response(200, {"messages": taken})

    def _refusal(self, request: Request) -> Reply | None:
        """Twilio's answer when the request never reaches a message: bad credentials, another account."""
        if _basic_auth(request) != (self.account_sid, self.auth_token):
            return twilio_error(401, 20003, "Authenticate")
        if request.path_params["account_sid"] != self.account_sid:
            return twilio_error(404, 20404, f"The requested resource {request.url.path} was not found")
        return None

    def _throttled(self) -> Reply | None:
        """429, Twilio error 20429, when asked to, or (enforcing limits) beyond `mps` creates in any one second."""
        with self._lock:
            now = time.monotonic()
            while self._created_at and self._created_at[0] <= now - 1:
                self._created_at.popleft()
            if self._rate_limited > 0:
                self._rate_limited -= 1
            elif not self.enforce_limits:
                return None
            elif len(self._created_at) < self.mps:
                self._created_at.append(now)
                return None
            self._too_many += 1
        return twilio_error(429, 20429, "Too Many Requests")

    def _create(self, path: str, params: dict[str, Any]) -> Reply:
        invalid = _invalid(params)
        if invalid:
            return invalid
        to = params["To"]
        with self._lock:
            refused = self._unreachable.get(_address(to))
        if refused is not None:
            return twilio_error(400, *refused)
        resource = self._resource(path, params)
        message = TwilioMessage(
            sid=resource["sid"],
            to=to,
            from_=params.get("From"),
            body=params.get("Body"),
            content_sid=params.get("ContentSid"),
            content_variables=params.get("ContentVariables"),
            status_callback=params.get("StatusCallback"),
            params=params,
        )
        with self._lock:
            self._messages.append(message)
            self._resources[message.sid] = resource
        return 201, resource

    def _resource(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """A Message resource as Twilio answers a create: queued, not yet priced nor sent."""
        sid = "SM" + uuid.uuid4().hex
        uri = path.removesuffix(".json") + f"/{sid}"
        now = _rfc2822_now()
        media = params.get("MediaUrl") or []
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": params.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": params.get("From"),
            "messaging_service_sid": params.get("MessagingServiceSid"),
            "num_media": str(len(media) if isinstance(media, list) else 1),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": params["To"],
            "uri": f"{uri}.json",
        }


def _invalid(params: dict[str, Any]) -> Reply | None:
    """Twilio's 400 for a create it cannot even try, in the order Twilio checks."""
    if not params.get("To"):
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not params.get("From") and not params.get("MessagingServiceSid"):
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not (params.get("Body") or params.get("ContentSid") or params.get("MediaUrl")):
        return twilio_error(400, 21619, "A text message body or media urls must be specified.")
    if params.get("ContentVariables"):
        try:
            json.loads(params["ContentVariables"])
        except ValueError:
            return twilio_error(400, 21656, "The ContentVariables Parameter is invalid.")
    return None


def _content_problem(payload: Any) -> str | None:
    """What Twilio refuses in a Content resource, in its words; None when it would make it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("language"), str) or not payload["language"]:
        return "Language is required"
    types = payload.get("types")
    if not isinstance(types, dict) or not types or any(kind not in CONTENT_TYPES for kind in types):
        return "Types must name at least one content type"
    for kind, content in types.items():
        body = content.get("body") if isinstance(content, dict) else None
        if not isinstance(body, str) or not body or len(body) > 1024:
            return f"{kind} body is required, at most 1024 characters"
        if kind == "twilio/quick-reply":
            actions = content.get("actions")
            if not isinstance(actions, list) or not 1 <= len(actions) <= 10:
                return "twilio/quick-reply needs 1 to 10 actions"
            if any(not _short(action.get("title"), 20) or not _short(action.get("id"), 200) for action in actions):
                return "twilio/quick-reply action title at most 20 characters, id at most 200"
        if kind == "twilio/list-picker":
            items = content.get("items")
            if not _short(content.get("button"), 20) or not isinstance(items, list) or not 1 <= len(items) <= 10:
                return "twilio/list-picker needs a button of at most 20 characters and 1 to 10 items"
            if any(not _short(item.get("item"), 24) or not _short(item.get("id"), 200)
                   or not _short(item.get("description"), 72) for item in items):
                return "twilio/list-picker item at most 24 characters, id at most 200, description at most 72"
    return None


def _short(value: Any, most: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= most


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake Twilio Messages API until interrupted.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument("--enforce-limits", action="store_true", help="answer 429 beyond --mps messages a second")
    parser.add_argument("--mps", type=int, default=DEFAULT_MPS)
    args = parser.parse_args()
    FakeTwilio(args.account_sid, args.auth_token, host=args.host, port=args.port, enforce_limits=args.enforce_limits,
               mps=args.mps).serve_until_interrupted(
        lambda fake: f"FAKE_TWILIO_BASE_URL={fake.base_url} ACCOUNT_SID={fake.account_sid}")


if __name__ == "__main__":
    main()

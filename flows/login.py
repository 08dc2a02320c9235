"""An officer's way into the dashboard from the chat: "masuk" answers with a one-time login link."""

from domain.msgid import N_
from flows.engine import Turn
from flows.messages import Reply

LOGIN_LINK = N_("Your link to the dashboard:\n%(link)s\n\nIt works once, within 10 minutes. Do not pass it on: "
                "whoever opens it is logged in as you.")


def send_login_link(turn: Turn) -> Reply:
    """Make a one-time login link for the officer writing (the router lets only officers here)."""
    assert turn.officer is not None
    token = turn.registry.logins.new_link(turn.officer.id)
    return Reply(turn.text(LOGIN_LINK, link=f"{turn.dashboard_url}/login/{token}"))

"""Where messages go (notifications/backends.py): the outbox unless GOV.UK Notify is configured, and the Notify
backend against a stand-in Notify API on this machine (what it is sent; a refusal or no answer is a failed message,
never an exception)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest

from openprobation.notifications.backends import (
    NotifyBackend,
    OutboxBackend,
    Outgoing,
    configuration_problem,
    messages_backend,
)

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"openprobation_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE = "0f63cc2a-5fc8-4d9e-9c1f-1b0e8f4a1f61"


class FakeNotify(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, dict]] = []
    answer_status = 201

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        FakeNotify.received.append((self.path, body, claims))
        if FakeNotify.answer_status == 201:
            answer: dict = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": body.get("reference")}
        else:
            refusal = "Can't send to this recipient using a team-only API key"
            answer = {"status_code": 400, "errors": [{"error": "BadRequestError", "message": refusal}]}
        data = json.dumps(answer).encode()
        self.send_response(FakeNotify.answer_status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def notify_url() -> Iterator[str]:
    FakeNotify.received = []
    FakeNotify.answer_status = 201
    server = HTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _backend(url: str) -> NotifyBackend:
    return NotifyBackend(api_key=API_KEY, sms_template_id=SMS_TEMPLATE, email_template_id=EMAIL_TEMPLATE,
                         base_url=url)


MESSAGE = Outgoing(channel="sms", recipient="07700900982", body="Hello Alex",
                   personalisation={"first_name": "Alex", "date": "Thursday 26 November 2026", "time": "10:00"},
                   reference="appointment-reminder-1")


def test_notify_gets_the_template_the_fields_and_a_signed_token(notify_url):
    sent = _backend(notify_url).send(MESSAGE)
    assert sent.ok and sent.reference == "740e5834-3a29-46b4-9a6f-16142fde533a"
    path, body, claims = FakeNotify.received[0]
    assert path == "/v2/notifications/sms"
    assert body == {"phone_number": "07700900982", "template_id": SMS_TEMPLATE, "reference": "appointment-reminder-1",
                    "personalisation": MESSAGE.personalisation}
    assert claims["iss"] == SERVICE_ID


def test_notify_email(notify_url):
    email = Outgoing(channel="email", recipient="alex@example.com", body="Hello", personalisation={"time": "10:00"})
    assert _backend(notify_url).send(email).ok
    path, body, _ = FakeNotify.received[0]
    assert (path, body["email_address"], body["template_id"]) == ("/v2/notifications/email", "alex@example.com",
                                                                  EMAIL_TEMPLATE)


def test_a_refusal_from_notify_is_a_failed_message(notify_url):
    FakeNotify.answer_status = 400
    sent = _backend(notify_url).send(MESSAGE)
    assert not sent.ok
    assert "team-only API key" in sent.failure


def test_notify_out_of_reach_is_a_failed_message(notify_url):
    closed = _backend("http://127.0.0.1:9")  # the discard port: nothing listens on this machine
    sent = closed.send(MESSAGE)
    assert not sent.ok and sent.failure.startswith("GOV.UK Notify refused or could not be reached")


def test_the_outbox_is_the_default_and_sends_nothing(settings):
    assert settings.MESSAGES_BACKEND == "outbox"
    assert isinstance(messages_backend(), OutboxBackend)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"MESSAGES_BACKEND": "sms"}, "OPENPROBATION_MESSAGES_BACKEND must be one of outbox, notify, not 'sms'"),
        ({"MESSAGES_BACKEND": "notify"}, "needs OPENPROBATION_NOTIFY_API_KEY, OPENPROBATION_NOTIFY_SMS_TEMPLATE_ID, "
                                         "OPENPROBATION_NOTIFY_EMAIL_TEMPLATE_ID in the environment"),
        ({"MESSAGES_BACKEND": "notify", "NOTIFY_API_KEY": "short", "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
          "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE}, "is not a GOV.UK Notify API key"),
        ({"MESSAGES_BACKEND": "notify", "NOTIFY_API_KEY": API_KEY, "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
          "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE}, ""),
    ],
    ids=["unknown_backend", "notify_without_key_or_templates", "not_a_notify_key", "notify_configured"],
)
def test_messages_configuration(settings, values, problem):
    settings.NOTIFY_API_KEY = settings.NOTIFY_SMS_TEMPLATE_ID = settings.NOTIFY_EMAIL_TEMPLATE_ID = ""
    for name, value in values.items():
        setattr(settings, name, value)
    found = configuration_problem()
    assert (problem in found) if problem else found == ""
    if not problem:
        assert isinstance(messages_backend(), NotifyBackend)

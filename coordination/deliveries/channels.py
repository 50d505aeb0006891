"""The channel adapters: each sends one message or raises :class:`SendFailed`.

They know nothing of the outbox; the worker calls them with an address and a
text it has already checked. Failures carry a short reason (an error class or
an HTTP status), never the server's own words, which may repeat the address.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

#: Headers of a signed webhook (docs/deliveries.md: how a partner verifies it).
SIGNATURE_HEADER = "X-Coordination-Signature"
TIMESTAMP_HEADER = "X-Coordination-Timestamp"
DELIVERY_HEADER = "X-Coordination-Delivery"


class SendFailed(Exception):
    """The message was not accepted; the worker retries it later."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:120]


def send_email(config, to: str, subject: str, body: str) -> None:
    """Hand one message to the configured SMTP server."""
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"],
                          timeout=config["SMTP_TIMEOUT"]) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            smtp.send_message(message)
    except smtplib.SMTPResponseException as error:
        raise SendFailed(f"SMTP {error.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(type(error).__name__) from None


def sms_body(template: str, to: str, text: str) -> bytes:
    """The gateway's JSON body: ``{to}`` and ``{text}`` in the template's
    strings are replaced (after parsing, so the text cannot break the JSON)."""
    def fill(value):
        if isinstance(value, str):
            return value.replace("{to}", to).replace("{text}", text)
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value
    return json.dumps(fill(json.loads(template)), ensure_ascii=False).encode()


def send_sms(config, to: str, text: str) -> None:
    """POST one SMS to the HTTP gateway (URL, bearer token, JSON body)."""
    headers = {"Content-Type": "application/json"}
    if config["SMS_GATEWAY_TOKEN"]:
        headers["Authorization"] = f"Bearer {config['SMS_GATEWAY_TOKEN']}"
    _post(config["SMS_GATEWAY_URL"], sms_body(config["SMS_GATEWAY_BODY"], to, text), headers,
          config["SMS_GATEWAY_TIMEOUT"])


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body`` with the partner's secret, in hex."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def send_webhook(target: dict, body: bytes, delivery_id: int, timeout: int,
                 now: float | None = None) -> None:
    """POST a signed event to a partner system."""
    timestamp = str(int(now if now is not None else time.time()))
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp,
               SIGNATURE_HEADER: signature(target["secret"], timestamp, body),
               DELIVERY_HEADER: str(delivery_id)}
    _post(target["url"], body, headers, timeout)


def _post(url: str | None, body: bytes, headers: dict, timeout: int) -> None:
    if not url or not url.startswith(("https://", "http://")):
        raise SendFailed("no http(s) URL configured")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        # The scheme is checked above: only http(s), never file: or others.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
            response.read()
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SendFailed(type(error).__name__) from None

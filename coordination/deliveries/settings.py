"""The deliveries' settings from the environment (a deployment's secrets and
addresses do not belong in the code or the database)."""
from __future__ import annotations

import json
import os
from collections.abc import MutableMapping

_TEXT = ("SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "SMS_GATEWAY_URL",
         "SMS_GATEWAY_TOKEN", "SMS_GATEWAY_BODY", "DELIVERY_SITE_URL",
         "DELIVERY_QUEUE")
_INTEGER = ("SMTP_PORT", "SMTP_TIMEOUT", "SMS_GATEWAY_TIMEOUT", "WEBHOOK_TIMEOUT",
            "DELIVERY_MAX_ATTEMPTS", "DELIVERY_BACKOFF_BASE_SECONDS",
            "DELIVERY_BACKOFF_MAX_SECONDS", "DELIVERY_SWEEP_SECONDS")
_FLAG = ("DELIVERY_EMAIL_ENABLED", "DELIVERY_SMS_ENABLED", "DELIVERY_SURVIVOR_SMS_ENABLED",
         "SMTP_STARTTLS")


def apply_environment(config: MutableMapping, environ=None) -> None:
    """Copy the deliveries' variables that are set in the environment."""
    environ = os.environ if environ is None else environ
    for name in _TEXT:
        if environ.get(name):
            config[name] = environ[name]
    for name in _INTEGER:
        if environ.get(name):
            config[name] = int(environ[name])
    for name in _FLAG:
        if environ.get(name):
            config[name] = environ[name].strip().lower() in ("1", "true", "yes", "on")
    if environ.get("DELIVERY_WEBHOOKS"):
        config["DELIVERY_WEBHOOKS"] = json.loads(environ["DELIVERY_WEBHOOKS"])


def any_channel_on(config) -> bool:
    """Whether the worker has anything to do (``make run`` asks this)."""
    return bool(config["DELIVERY_EMAIL_ENABLED"] or config["DELIVERY_SMS_ENABLED"]
                or config["DELIVERY_SURVIVOR_SMS_ENABLED"] or config["DELIVERY_WEBHOOKS"])

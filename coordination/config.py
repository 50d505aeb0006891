"""Configuration classes; the environment overrides what deployments vary.

``create_app(config)`` takes one of these classes (or a mapping) and then
applies ``DATABASE_URL`` / ``SECRET_KEY`` from the environment.
"""
from __future__ import annotations

import os
import tempfile
from datetime import timedelta


class BaseConfig:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    #: A PostgreSQL streaming replica of the database for the read-only pages
    #: (lists, statistics, exports); ``DATABASE_REPLICA_URL`` in the
    #: environment. None: everything on the one database (docs/replica.md).
    DATABASE_REPLICA_URL: str | None = None
    #: A replica further behind than this serves no reads (the primary does).
    REPLICA_MAX_LAG_SECONDS = 10.0
    #: The replica's position is asked at most this often per process (a
    #: position a moment old only sends more pages to the primary).
    REPLICA_STATUS_SECONDS = 1.0
    #: A replica that did not answer is asked again after this long.
    REPLICA_RETRY_SECONDS = 5.0
    #: Seconds to wait for a connection to the replica.
    REPLICA_CONNECT_TIMEOUT = 2

    #: Languages the interface speaks; Kyrgyz is the state language.
    LANGUAGES = ("ky", "ru", "en")
    BABEL_DEFAULT_LOCALE = "ky"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bishkek"

    #: Signed-in users are signed out after this much inactivity.
    IDLE_TIMEOUT = timedelta(minutes=30)
    #: However active, a signed-in session ends this long after the sign-in
    #: (checked on the server, ``user_sessions``).
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "coordination_session"
    REMEMBER_COOKIE_HTTPONLY = True

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token

    #: Sign-in attempts (POSTs to /login) per client address, whatever the account.
    LOGIN_RATE_LIMIT = "10 per minute"
    #: The Redis server that several app processes share (``REDIS_URL`` in the
    #: environment, e.g. ``redis://cache:6379/0``). With it, the sign-in
    #: limiter counts there; everything else shared is in the database.
    REDIS_URL: str | None = None
    #: Where the limiter's counters live: ``memory://`` serves one process, so
    #: ``REDIS_URL`` replaces it; ``RATELIMIT_STORAGE_URI`` in the environment
    #: names another store and wins over both.
    RATELIMIT_STORAGE_URI = "memory://"
    #: Keys in the shared store start with this (several apps may share one Redis).
    RATELIMIT_KEY_PREFIX = "coordination"
    #: If the shared store is down, each process counts in its own memory
    #: meanwhile instead of failing every sign-in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_ENABLED = True
    #: Failed logins in a row before the account is locked. The first lock
    #: lasts ``LOGIN_LOCKOUT_FIRST``, each further lock in a row twice the one
    #: before, never more than ``LOGIN_LOCKOUT``: it slows guessing without
    #: shutting the owner out for long (docs/security.md).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_FIRST = timedelta(minutes=1)
    LOGIN_LOCKOUT = timedelta(minutes=15)
    #: Per client address, before any account is looked at: an address with
    #: this many failed sign-ins (any usernames) within the window is refused
    #: until the window has passed.
    LOGIN_ADDRESS_MAX_FAILURES = 30
    LOGIN_ADDRESS_WINDOW = timedelta(minutes=15)
    #: Behind the documented reverse proxy (nginx, one hop): how many
    #: ``X-Forwarded-For`` hops to trust (werkzeug's ProxyFix ``x_for``);
    #: 0 when the app faces clients directly. Environment: ``PROXY_FIX_X_FOR``.
    PROXY_FIX_X_FOR = 0
    #: Two-factor sign-in (TOTP): the name authenticator apps show, how long the
    #: code may be entered after the password, and how many recovery codes a
    #: user gets. The TOTP secret is encrypted with a key derived from
    #: ``SECRET_KEY`` (``SECRET_KEY_FALLBACKS`` still decrypt after a rotation).
    TWO_FACTOR_ISSUER = "Case coordination"
    TWO_FACTOR_PENDING_TIMEOUT = timedelta(minutes=5)
    TWO_FACTOR_RECOVERY_CODES = 10
    #: argon2id parameters (argon2-cffi's RFC 9106 low-memory profile by default).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    #: argon2id parameters for generated temporary passwords. They carry 80
    #: random bits, so guessing them is hopeless whatever the cost; a light
    #: hash lets an import of thousands of users finish within a request.
    #: The user's own password, chosen at first login, gets the full cost.
    TEMPORARY_PASSWORD_ARGON2_TIME_COST = 1
    TEMPORARY_PASSWORD_ARGON2_MEMORY_COST = 2048
    TEMPORARY_PASSWORD_ARGON2_PARALLELISM = 1

    #: Closed cases lose their personal data this many years after closure
    #: (``flask retention``); aggregate statistics are kept.
    RETENTION_YEARS = 10
    CASES_PER_PAGE = 25
    #: How long the navigation's badges are held in the session before they
    #: are counted again (a change by the user counts them at once).
    BADGE_SECONDS = 30
    #: Rows per page of the administration lists (users, agencies, histories).
    ADMIN_PER_PAGE = 50

    #: Requests larger than this are refused (413): the CSV import's file is the
    #: largest thing anyone sends. A checked import carries the file back in a
    #: form field, hence the larger form memory limit.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 6 * 1024 * 1024
    #: The CSV imports (users, population figures) read at most this many data
    #: lines and bytes.
    IMPORT_MAX_LINES = 5000
    IMPORT_MAX_BYTES = 3 * 1024 * 1024

    # Defaults of the settings operators change in the app (/admin/settings);
    # ``coordination.settings.services.get_setting`` returns the stored value
    # or these. The setting's key is the name in lower case.
    #: Hours within which a referral must be answered, by priority.
    REFERRAL_DEADLINE_HOURS_URGENT = 24
    REFERRAL_DEADLINE_HOURS_HIGH = 72
    REFERRAL_DEADLINE_HOURS_NORMAL = 168
    #: Protection orders (the law's values): a temporary order lasts 3 days,
    #: extended at the survivor's request to 30; court restrictions up to 3 months.
    TEMPORARY_ORDER_DAYS = 3
    EXTENDED_TEMPORARY_ORDER_DAYS = 30
    COURT_ORDER_MAX_MONTHS = 3
    #: Checks of active orders (issue 19): the interval by risk and kind, how
    #: long after a check it may be recorded, and when a missed one escalates.
    ORDER_CHECK_HOURS_HIGH = 24
    ORDER_CHECK_HOURS_NORMAL = 72
    ORDER_CHECK_HOURS_COURT = 168
    ORDER_CHECK_BACKDATE_HOURS = 6
    ORDER_CHECK_GRACE_HOURS = 12
    ORDER_CHECK_COMMITTEE_HOURS = 48
    #: Disclosure control: counts from 1 to k-1 are suppressed (k never below 3),
    #: with a larger k for any breakdown of sexual violence (never below k).
    SUPPRESSION_K = 5
    SUPPRESSION_K_SEXUAL_VIOLENCE = 10
    #: The cell key method's noise (docs/reports.md): at most this far from the
    #: true count, with this variance. Changing either changes every published
    #: figure, so it is a deployment's decision, not a setting of the app.
    STATISTICS_MAX_DEVIATION = 4
    STATISTICS_VARIANCE = 2.0
    #: Risk checklist: this many "yes" answers make the level medium / high
    #: (DASH practice: 14 or more of 24 is high).
    RISK_MEDIUM_THRESHOLD = 10
    RISK_HIGH_THRESHOLD = 14
    #: Whether two-factor sign-in is required, by group of users. Off by
    #: default: the demo accounts sign in with a password alone.
    TWO_FACTOR_REQUIRED_COMMITTEE = False
    TWO_FACTOR_REQUIRED_LEADS = False
    TWO_FACTOR_REQUIRED_MINISTRY = False
    TWO_FACTOR_REQUIRED_ADMINS = False
    #: Accounts an administrator created or reset, once their agency head has
    #: confirmed them, set up two-factor sign-in before their first case view.
    TWO_FACTOR_REQUIRED_CONFIRMED = False

    #: Documents attached to cases: the largest file, in megabytes (a setting).
    DOCUMENT_MAX_MEGABYTES = 5
    #: Minutes in which the author of a case note may correct it (a setting).
    NOTE_EDIT_MINUTES = 30
    #: Where documents are stored: ``local`` (a folder; DOCUMENTS_FOLDER, by
    #: default ``documents/`` in the instance folder, outside the web root),
    #: or ``s3``: a bucket of an S3-compatible store that several app servers
    #: share (MinIO, Ceph, a cloud's). The environment sets all of these.
    DOCUMENT_STORE = "local"
    DOCUMENTS_FOLDER: str | None = None
    #: ``s3``: the bucket (it must exist), the key prefix, the endpoint of a
    #: store other than AWS's, its region. Credentials come the way boto3
    #: finds them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role).
    DOCUMENTS_S3_BUCKET: str | None = None
    DOCUMENTS_S3_PREFIX = "documents/"
    DOCUMENTS_S3_ENDPOINT_URL: str | None = None
    DOCUMENTS_S3_REGION: str | None = None

    #: Warnings of a protection order's end come this long before it.
    ORDER_WARNING_HOURS = 24
    #: Minutes in which a follow-up marked done by mistake may be reopened by
    #: whoever marked it (issue 15); after that others may have acted on it.
    FOLLOW_UP_UNDO_MINUTES = 10

    #: The risk checklist (DASH practice, adapted): the questions asked, in
    #: order; their texts are in coordination/labels.py.
    RISK_QUESTIONS = (
        "current_injury", "very_frightened", "fears_worse", "isolated", "depressed",
        "separation", "child_contact_conflict", "stalking", "pregnancy", "children_at_risk",
        "forced_marriage", "escalation", "controlling", "weapons", "threats_to_kill",
        "strangulation", "sexual_abuse", "others_threaten", "harmed_others",
        "economic_control", "financial_problems", "substance_abuse", "orders_breached",
        "violence_record",
    )

    # Deliveries (docs/deliveries.md): every channel is off until switched on;
    # the environment sets these (the names below, e.g. ``SMTP_HOST``), see
    # coordination/deliveries/settings.py.
    DELIVERY_EMAIL_ENABLED = False
    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    SMTP_FROM = "noreply@localhost"
    SMTP_TIMEOUT = 10
    DELIVERY_SMS_ENABLED = False
    #: The HTTP SMS gateway: the URL it is POSTed to, a bearer token, and the
    #: JSON body with ``{to}`` and ``{text}`` where the number and text go.
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_TOKEN: str | None = None
    SMS_GATEWAY_BODY = '{"to": "{to}", "text": "{text}"}'
    SMS_GATEWAY_TIMEOUT = 10
    #: Content-free messages to a survivor's safe phone (by SMS), with consent.
    DELIVERY_SURVIVOR_SMS_ENABLED = False
    #: Partner systems told of their agency's notifications, by name:
    #: ``{"police-sokuluk": {"agency": "SOK-POLICE", "url": "https://...",
    #: "secret": "..."}}`` (``DELIVERY_WEBHOOKS`` in the environment, as JSON).
    DELIVERY_WEBHOOKS: dict = {}
    WEBHOOK_TIMEOUT = 10
    #: Retries: the n-th failure waits BASE * 2**(n-1) seconds (at most MAX);
    #: after MAX_ATTEMPTS failures the delivery goes to the dead-letter list.
    DELIVERY_MAX_ATTEMPTS = 6
    DELIVERY_BACKOFF_BASE_SECONDS = 30
    DELIVERY_BACKOFF_MAX_SECONDS = 3600
    #: The RQ queue on ``REDIS_URL`` that carries the deliveries to the worker.
    DELIVERY_QUEUE = "deliveries"
    #: The worker enqueues again what Redis missed (it was down at a commit)
    #: this often, and at its start.
    DELIVERY_SWEEP_SECONDS = 60
    #: The address of the app given in messages to staff (no path, no id).
    DELIVERY_SITE_URL: str | None = None

    #: Seed of the demo data set, so that every machine gets the same demo.
    DEMO_SEED = 20261126


class DevelopmentConfig(BaseConfig):
    """``make run``: local SQLite, generated secret key."""

    ENV_NAME = "development"


class TestingConfig(BaseConfig):
    """pytest: cheap password hashing; CSRF stays on, tests send real tokens."""

    ENV_NAME = "testing"
    TESTING = True
    #: Every test signs in from the same address; the limit's tests turn it on.
    RATELIMIT_ENABLED = False
    # Tests only; production refuses to start without SECRET_KEY.
    SECRET_KEY = "testing-secret-key-not-for-production"  # nosec B105
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    TEMPORARY_PASSWORD_ARGON2_MEMORY_COST = 1024
    #: Documents uploaded by tests go to a scratch folder, not the instance's.
    DOCUMENTS_FOLDER = os.path.join(tempfile.gettempdir(), "coordination-test-documents")
    #: Tests change the data behind a signed-in client and look at once; the
    #: badges' own tests (tests/workflow/test_capped_counts.py) hold them.
    BADGE_SECONDS = 0


class ProductionConfig(BaseConfig):
    """gunicorn behind HTTPS: the secret key and database must be given."""

    ENV_NAME = "production"
    #: Refuse to start without ``SECRET_KEY`` (see ``coordination._load_config``).
    SECRET_KEY_REQUIRED = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class LoadTestConfig(ProductionConfig):
    """``make load``: production's settings on plain HTTP over the loopback.

    The load generator talks to gunicorn on 127.0.0.1 without TLS, so the
    cookies may not be Secure (a client keeps a Secure cookie only for HTTPS),
    and every simulated user signs in from the same address, so the per-address
    sign-in limit is raised rather than switched off (its cost stays measured).
    Everything else, the argon2 cost included, is production's. Never serve
    real users with it.
    """

    ENV_NAME = "loadtest"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    LOGIN_RATE_LIMIT = "6000 per minute"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "loadtest": LoadTestConfig,
}


def config_from_environment() -> type[BaseConfig]:
    """The config class named by ``COORDINATION_ENV`` (development by default)."""
    name = os.environ.get("COORDINATION_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"COORDINATION_ENV={name!r} is not one of {', '.join(CONFIGS)}"
        ) from None

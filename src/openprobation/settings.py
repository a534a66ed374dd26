"""Django settings, read from environment variables (see README "Configuration" and .env.example)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("OPENPROBATION_DATA_DIR", Path.cwd() / "var")).resolve()
DEBUG = _env_bool("OPENPROBATION_DEBUG", False)
DEMO_MODE = _env_bool("OPENPROBATION_DEMO", False)


def _secret_key() -> str:
    key = os.environ.get("OPENPROBATION_SECRET_KEY")
    if key:
        return key
    # Without a configured key, keep a generated one beside the data so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("OPENPROBATION_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("OPENPROBATION_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "openprobation.adminsite.apps.OpenProbationAdminConfig",  # django.contrib.admin on the audited site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "openprobation.documents",
    "openprobation.core",
    "openprobation.organisation",
    "openprobation.people",
    "openprobation.sentences",
    "openprobation.contacts",
    "openprobation.risk",
    "openprobation.notifications",
    "openprobation.workitems",
    "openprobation.safeguarding",
    "openprobation.workload",
    "openprobation.enforcement",
    "openprobation.mi",
    "openprobation.recall",
    "openprobation.warningsigns",
    "openprobation.escalation",
    "openprobation.quality",
    "openprobation.allocation",
    "openprobation.jobs",
    "openprobation.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "openprobation.core.middleware.SecurityHeadersMiddleware",  # before WhiteNoise: static files get its headers too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openprobation.core.middleware.ContentSecurityPolicyMiddleware",
    "openprobation.core.middleware.RequestSizeLimitMiddleware",  # 413 before a session or account is looked up
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "openprobation.adminsite.middleware.AdminBadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "openprobation.urls"
WSGI_APPLICATION = "openprobation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openprobation.web.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'openprobation.sqlite3'}",
        conn_max_age=int(os.environ.get("OPENPROBATION_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
         "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL: the few statements run on every API request (core/prepared.py) are prepared on the server once per
# connection. Django's own cursors bind parameters in the client and are never prepared, so this changes nothing
# else. Off for a connection pooler that cannot keep prepared statements.
DB_PREPARED_STATEMENTS = _env_bool("OPENPROBATION_DB_PREPARED", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["openprobation.core.sign_in.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"  # each role lands on its own page (web.views.caseload.home)

# Timescales: the preset work items are generated under (rules/policy/timescales_<preset>.toml), and the working
# days an agency has to answer a safeguarding enquiry before it is escalated (a local protocol, unverified).
TIMESCALE_PRESET = os.environ.get("OPENPROBATION_TIMESCALE_PRESET", "ps2021")
SAFEGUARDING_REPLY_WORKING_DAYS = int(os.environ.get("OPENPROBATION_SAFEGUARDING_REPLY_WORKING_DAYS", "10"))

# Documents (documents/spelling.py): the directory holding Hunspell's en_GB.dic and en_GB.aff (Debian's
# hunspell-en-gb), read to spell-check a report's prose before it may be approved.
HUNSPELL_DIR = os.environ.get("OPENPROBATION_HUNSPELL_DIR", "/usr/share/hunspell")

# Failed sign-ins (core/sign_in.py): within one window, a username from one address gets this many failures, and
# one address this many over all usernames; then that address (for that username, or for all) waits for the next
# window or an administrator. No account is ever locked for everyone.
SIGN_IN_MAX_FAILURES = int(os.environ.get("OPENPROBATION_SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("OPENPROBATION_SIGN_IN_MAX_FAILURES_PER_ADDRESS", "20"))
SIGN_IN_FAILURE_WINDOW_SECONDS = int(os.environ.get("OPENPROBATION_SIGN_IN_FAILURE_WINDOW_SECONDS", "900"))
# Proxies in front of the service that append the client's address to X-Forwarded-For (0: use the socket's peer).
TRUSTED_PROXY_COUNT = int(os.environ.get("OPENPROBATION_TRUSTED_PROXY_COUNT", "0"))

# API tokens expire this many days after they are made (`openprobation token create --days N` to choose).
API_TOKEN_DAYS = int(os.environ.get("OPENPROBATION_API_TOKEN_DAYS", "90"))

# The largest request body accepted; a larger one gets 413 (problem+json on the API, an error page elsewhere).
MAX_REQUEST_BYTES = int(os.environ.get("OPENPROBATION_MAX_REQUEST_BYTES", str(int(2.5 * 1024 * 1024))))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

# PostgreSQL only: the login role the service runs as, when it is not the role that owns the tables. `openprobation
# migrate` (run as the owner) then grants it what it needs and no more: it cannot change or remove audit events,
# disable the audit triggers or truncate the audit table (docs/how-to/database-roles.md).
DB_RUNTIME_ROLE = os.environ.get("OPENPROBATION_DB_RUNTIME_ROLE", "").strip()

# Cookies and transport. HTTPS is assumed in production; the demo runs over plain HTTP on 127.0.0.1.
HTTPS = _env_bool("OPENPROBATION_HTTPS", not (DEBUG or DEMO_MODE))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # The __Host- prefix: browsers keep these cookies only if set over HTTPS, for this host alone (no Domain), path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("OPENPROBATION_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = int(os.environ.get("OPENPROBATION_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("OPENPROBATION_SSL_REDIRECT", False)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "OPENPROBATION_STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENPROBATION_LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log each step of laying out a PDF at INFO: only their warnings are wanted.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Background jobs (decision 0016): django-tasks with its database backend, run by `openprobation worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# When each periodic job runs: times of day in UK time, comma-separated, or "off" (jobs/schedule.py).
JOB_SCHEDULE = {
    "nightly_recompute": os.environ.get("OPENPROBATION_SCHEDULE_NIGHTLY_RECOMPUTE", "02:00"),
    "overdue_escalations": os.environ.get("OPENPROBATION_SCHEDULE_OVERDUE_ESCALATIONS", "06:00"),
    "appointment_reminders": os.environ.get("OPENPROBATION_SCHEDULE_APPOINTMENT_REMINDERS", "09:00,15:00"),
    # Every note is read when it is recorded; the batch scan reads the notes recorded before that (off: run it with
    # `openprobation jobs enqueue signals_scan` or `openprobation signals batch`).
    "signals_scan": os.environ.get("OPENPROBATION_SCHEDULE_SIGNALS_SCAN", "off"),
    # Daily: the week's snapshot is taken on the first run of the week (Monday), once.
    "weekly_workload_snapshot": os.environ.get("OPENPROBATION_SCHEDULE_WEEKLY_WORKLOAD_SNAPSHOT", "03:00"),
}

# Messages to people on probation (notifications/backends.py): "outbox" keeps them in the database and shows them in
# the case's personal details (nothing is sent); "notify" sends through GOV.UK Notify with the key and templates
# below, taken from the environment only.
MESSAGES_BACKEND = os.environ.get("OPENPROBATION_MESSAGES_BACKEND", "outbox").strip().lower()
NOTIFY_API_KEY = os.environ.get("OPENPROBATION_NOTIFY_API_KEY", "").strip()
NOTIFY_SMS_TEMPLATE_ID = os.environ.get("OPENPROBATION_NOTIFY_SMS_TEMPLATE_ID", "").strip()
NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("OPENPROBATION_NOTIFY_EMAIL_TEMPLATE_ID", "").strip()
NOTIFY_BASE_URL = os.environ.get("OPENPROBATION_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = 30

"""Somevahti's one settings module. Every value comes from the environment; `.env.example`
documents each variable. Defaults give the embedded set-up: SQLite in a data folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("SOMEVAHTI_DATA_DIR", "data")).resolve()


def _secret_key() -> str:
    """The key from the environment, or one generated once and kept in the data folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
# Fernet key(s) for platform tokens at rest; derived from SECRET_KEY when empty (core.crypto).
SOMEVAHTI_ENCRYPTION_KEY = os.environ.get("SOMEVAHTI_ENCRYPTION_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "crontask",
    "somevahti.core",
    "somevahti.guideline",
    "somevahti.people",
    "somevahti.channels",
    "somevahti.checks",
    "somevahti.archive",
    "somevahti.publishing",
    "somevahti.inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "somevahti.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "somevahti.people.middleware.CurrentOrganizationMiddleware",
]

ROOT_URLCONF = "somevahti.config.urls"
WSGI_APPLICATION = "somevahti.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "somevahti.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'somevahti.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process, the worker and the scheduler share one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Accepting a webhook delivery must never wait for the worker that is processing earlier
    # ones: SQLite has one writer per file, so deliveries are journalled in a file of their own
    # (see somevahti.inbox.routers). PostgreSQL locks rows, and keeps them in the one database.
    _main = Path(DATABASES["default"]["NAME"])
    DATABASES["webhooks"] = {
        **DATABASES["default"],
        "NAME": str(_main.with_name(_main.stem + "-webhooks" + _main.suffix)),
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
    }
DATABASE_ROUTERS = ["somevahti.inbox.routers.WebhookJournalRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "guideline:status"
LOGOUT_REDIRECT_URL = "core:login"

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from the finders; it wants the folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# No inline scripts or styles anywhere: htmx and our own script are files on our origin.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
            }
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
            else {"file_path": str(DATA_DIR / "sent-mail")}
            if _EMAIL_BACKEND.endswith("filebased.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "somevahti@localhost")

# Meta (Facebook and Instagram): one app per Somevahti instance.
META_APP_ID = os.environ.get("META_APP_ID", "")
META_APP_SECRET = os.environ.get("META_APP_SECRET", "")
META_VERIFY_TOKEN = os.environ.get("META_VERIFY_TOKEN", "")
# Which adapter serves which platform ("*" for all); empty means the real adapters.
SOMEVAHTI_CONNECTORS = {"*": os.environ["SOMEVAHTI_CONNECTOR"]} if os.environ.get("SOMEVAHTI_CONNECTOR") else {}

# Seconds a web process waits before queueing another drain of webhook deliveries.
WEBHOOK_DRAIN_WINDOW = float(os.environ.get("WEBHOOK_DRAIN_WINDOW", "0.5"))

# The demo's fake platforms produce comments over time.
SOMEVAHTI_DEMO_FEED = env_bool("SOMEVAHTI_DEMO_FEED", False)

# Business calendar (core.calendar): office hours on Finnish business days.
OFFICE_HOURS_START = os.environ.get("OFFICE_HOURS_START", "08:00")
OFFICE_HOURS_END = os.environ.get("OFFICE_HOURS_END", "16:00")

# Limits on what people and feeds may hand us.
ICS_MAX_BYTES = int(os.environ.get("ICS_MAX_BYTES", str(5 * 1024 * 1024)))
ICS_FEED_TIMEOUT = float(os.environ.get("ICS_FEED_TIMEOUT", "15"))
# Feeds on loopback or private networks are refused unless this is set (tests, closed intranets).
ICS_FEED_ALLOW_PRIVATE = env_bool("ICS_FEED_ALLOW_PRIVATE", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}

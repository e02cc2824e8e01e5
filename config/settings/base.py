"""Settings shared by every environment; everything that differs comes from the environment.

Invariants: SQLite is the embedded default (WAL, IMMEDIATE transactions, busy timeout);
``DATABASE_URL`` switches to PostgreSQL; no secret is hard-coded outside the demo key file.
"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LOANCRM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list without blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret(name: str) -> str:
    """Return a secret generated once into the git-ignored ``var/`` folder (embedded demo only)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f"{name}.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret("secret")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "loancrm.core",
    "loancrm.accounts",
    "loancrm.jobs",
    "loancrm.compliance",
    "loancrm.leads",
    "loancrm.sales",
    "loancrm.customers",
    "loancrm.imports",
    "loancrm.ledger",
    "loancrm.loans",
    "loancrm.servicing",
    "loancrm.scoring",
    "loancrm.rules",
    "loancrm.products",
    "loancrm.externaldata",
    "loancrm.applications",
    "loancrm.messaging",
    "loancrm.documents",
    "loancrm.decisioning",
    "loancrm.approvals",
    "loancrm.underwriting",
    "loancrm.contracts",
    "loancrm.disbursements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "loancrm.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "loancrm.core.middleware.PageLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "loancrm.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "loancrm.core.context_processors.shell",
                "loancrm.core.security.csp_nonce",
            ],
        },
    },
]


def database_config() -> dict[str, Any]:
    """Build the default database from ``DATABASE_URL`` or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = sqlite_options()
        elif os.environ.get("DB_PREPARE_THRESHOLD", "5").strip():
            # Parameters bound by the server and statements prepared once a connection has run them this many
            # times, so the hot paths (intake, audit) are not planned again on every call. Behind a transaction-mode
            # pooler (PgBouncer < 1.21) set DB_PREPARE_THRESHOLD to an empty value.
            options = config.setdefault("OPTIONS", {})
            options["server_side_binding"] = True
            options["prepare_threshold"] = int(os.environ.get("DB_PREPARE_THRESHOLD", "5"))
        return dict(config)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "loancrm.sqlite3")),
        "OPTIONS": sqlite_options(),
    }


def sqlite_options() -> dict[str, object]:
    """WAL journal, IMMEDIATE write transactions and a busy timeout so concurrent writers queue."""
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["loancrm.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "loancrm.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "loancrm.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "LoanCRM")
TWO_FACTOR_PENDING_SECONDS = 300
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)

# Login throttling: a username is locked after this many failures inside the window.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_IP_MAX_FAILURES = int(os.environ.get("LOGIN_IP_MAX_FAILURES", "30"))

# Sessions: idle and absolute time-outs enforced by SessionTimeoutMiddleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT_SECONDS", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Without collectstatic (demo, tests) WhiteNoise serves from the finders; its empty-root warning is noise.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "loancrm"}
    )
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "batch"],
    }
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def local_field_keys() -> str:
    """Embedded demo only: one AES-256 key generated into ``var/field-keys`` at first set-up."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "field-keys"
    if not path.exists():
        import base64

        path.write_text("k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))
        path.chmod(0o600)
    return path.read_text().strip()


# Field-encryption keys "kid:base64key,kid2:base64key" (first is active; older ones still decrypt).
FIELD_ENCRYPTION_KEYS = os.environ.get("FIELD_ENCRYPTION_KEYS") or local_field_keys()
# Blind-index key for exact search over encrypted values; never rotated with the field keys.
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY") or local_secret("blind-index")
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY") or local_secret("audit-hmac")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo data size (`make demo`): how many leads arrive through the real intake service.
LOANCRM_DEMO_LEADS = int(os.environ.get("LOANCRM_DEMO_LEADS", "2000"))

# External data providers per kind (dotted path of a provider class); the simulator serves the demo and tests.
EXTERNAL_DATA_PROVIDERS = dict.fromkeys(
    ("bureau", "multi_lending", "court", "blacklist", "business_registry"), "loancrm.externaldata.simulator.Simulator"
)

# SMS: the provider class (dotted path); the simulator records every message and sends nothing (dev, test, demo).
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "loancrm.messaging.providers.SimulatorProvider")

# Contracts (loancrm.contracts): the lender on the contract, the seal certificate (PKCS#12; production takes a
# CA-issued one, `manage.py seal_cert_demo` writes a self-signed demo one to var/), and the base URL of the signing
# links sent by SMS.
LOANCRM_LENDER = {
    key: value
    for key, value in {
        "name": os.environ.get("LOANCRM_LENDER_NAME", ""),
        "licence": os.environ.get("LOANCRM_LENDER_LICENCE", ""),
    }.items()
    if value
}
LOANCRM_SEAL_PKCS12 = os.environ.get("LOANCRM_SEAL_PKCS12", str(VAR_DIR / "seal-demo.p12"))
LOANCRM_SEAL_PASSPHRASE = os.environ.get("LOANCRM_SEAL_PASSPHRASE", "loancrm-demo-seal")
LOANCRM_PUBLIC_URL = os.environ.get("LOANCRM_PUBLIC_URL", "http://127.0.0.1:8000")
# E-mail (customer notices): Django's e-mail backend. The demo writes each message as a file under var/mail/
# (tests use the in-memory outbox); production sets EMAIL_BACKEND to the SMTP backend with EMAIL_HOST etc.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "信贷服务 <noreply@loancrm.local>")

# Disbursement (loancrm.disbursements): the payment channel (dotted path of the class; the simulator answers through
# a signed callback), its signing secret, and the limits checked before every disbursement (CNY).
DISBURSEMENT_CHANNEL = os.environ.get("DISBURSEMENT_CHANNEL", "loancrm.disbursements.channels.SimulatorChannel")
DISBURSEMENT_CHANNEL_SECRET = os.environ.get("DISBURSEMENT_CHANNEL_SECRET") or local_secret("disbursement-channel")
DISBURSEMENT_CUSTOMER_LIMIT = os.environ.get("DISBURSEMENT_CUSTOMER_LIMIT", "3000000.00")
DISBURSEMENT_DAILY_CAP = os.environ.get("DISBURSEMENT_DAILY_CAP", "50000000.00")

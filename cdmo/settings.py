"""Settings for Alliance Tracker, configured from the environment.

Development (the default) runs on an SQLite file with DEBUG on. Production is
``DJANGO_PRODUCTION=1``: DEBUG off, a real secret key and host list required,
HTTPS-only cookies and HSTS.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.identity.config import identity_providers, origins

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("DJANGO_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_PRODUCTION=1.")
    # Development only: `check --deploy` flags this prefix, so it cannot slip into production.
    SECRET_KEY = "django-insecure-development-key-not-for-production-use-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # Before staticfiles so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    # Bootstrap's CSS and JS ship in this package: no CDN at run time.
    "js_lib_bootstrap5",
    "simple_history",
    # Django's tasks API (the backport until Django 6) and its database backend, which the embedded worker reads.
    "django_tasks",
    "django_tasks_db",
    # django-axes, named for the admin in every language.
    "core.apps.LoginThrottlingConfig",
    # Sign-in through the companies' identity providers (accounts/identity/): OpenID Connect only, no local sign-up.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "audit",
    "exports",
    "training",
    "accounts",
    "core",
    "partners",
    "milestones",
    "governance",
    "signatures",
    "digests",
    "demo",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/docs/, from the package: no CDN.
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long-lived caching; every page, export and feed is no-store.
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language until the user chooses one (accounts.middleware.PreferencesMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless it opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django-allauth requires it: ends a sign-in through a provider left half-way.
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.PreferencesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Puts the request user on every history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cdmo.urls"
WSGI_APPLICATION = "cdmo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.demo",
            ],
        },
    },
]

# SQLite file by default so a fresh clone runs with no server; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several worker processes (gunicorn, or runserver's threads) writing at once: a transaction that reads and then
    # writes fails at once with "database is locked" when another holds the write lock. Taking the lock when the
    # transaction begins makes it wait its turn instead (up to the timeout).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's similarity check lets "staff12345" through for "staff": refuse any password that contains
    # the username or the email's name, also spelt with digits for letters or backwards.
    {"NAME": "accounts.validators.ContainsUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id at a cost chosen for the deployment (accounts/hashers.py, docs/operations.md "Password hashing");
# PBKDF2 stays so existing hashes still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_ARGON2_MEMORY_KIB = env_int("PASSWORD_ARGON2_MEMORY_KIB", 19 * 1024)
PASSWORD_ARGON2_TIME_COST = env_int("PASSWORD_ARGON2_TIME_COST", 2)
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username/address never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Identity providers (docs/sign-in.md): none by default, so the demo and `make run` need none. ---
# Each provider's id, button name, issuer URL, client, group claim and group → role mapping, as a JSON list.
OIDC_PROVIDERS = identity_providers(env("OIDC_PROVIDERS"), production=PRODUCTION)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": OIDC_PROVIDERS,
        # allauth's provider with a nonce, started only from the login page (accounts/identity/provider.py).
        "provider_class": "accounts.identity.provider.CompanyProvider",
    }
}
SOCIALACCOUNT_ADAPTER = "accounts.identity.adapters.SocialAccountAdapter"
ACCOUNT_ADAPTER = "accounts.identity.adapters.AccountAdapter"
# A first sign-in creates the account at once: the provider vouches for the person, no form to fill.
SOCIALACCOUNT_AUTO_SIGNUP = True
# Never join a provider's account to an existing one by its e-mail address: accounts are linked by the provider's
# subject only, so a break-glass administrator's account cannot be taken over through a provider.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_EMAIL_VERIFICATION = "none"
# allauth keeps no e-mail addresses of its own, and its migrations leave the accounts' addresses as they are (one
# would lower-case them all without history); the adapter copies the provider's address onto the account itself.
ACCOUNT_USER_MODEL_EMAIL_FIELD = None
ACCOUNT_SIGNUP_FIELDS = ["username*"]
# Only the claims are kept with the account, never the provider's tokens.
SOCIALACCOUNT_STORE_TOKENS = False
# The discovery document, keys and tokens are fetched during the sign-in request: fail within a worker's patience.
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 5)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "milestones:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read "5 Oct 2025" in English and "2025/10/05" in Japanese (cdmo/formats).
FORMAT_MODULE_PATH = ["cdmo.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
USE_I18N = True
# Stored in UTC; shown in Tokyo time, where most of the partnership works, unless a user chooses another zone.
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"

STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves in production (a test server may use its own).
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain finders in development and tests
        # so nothing needs collectstatic first.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Limits on what one request may cost (docs/operations.md, "Limits").
# Request bodies: the largest form here is well under 100 KB; uploads (spreadsheet imports) are files and not
# counted here. Over either limit the request gets the 400 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_MAX_BODY_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DJANGO_MAX_FIELDS", 1000)
# Admin search: each word becomes a LIKE over every search field, so the words are counted and short ones
# (matching almost everything) dropped, with a message.
ADMIN_SEARCH_MAX_WORDS = env_int("ADMIN_SEARCH_MAX_WORDS", 10)
ADMIN_SEARCH_MIN_WORD_LENGTH = env_int("ADMIN_SEARCH_MIN_WORD_LENGTH", 2)
# The dashboard draws a quarter per column: a window longer than this is refused with a form error.
DASHBOARD_MAX_WINDOW_YEARS = env_int("DASHBOARD_MAX_WINDOW_YEARS", 10)
# A filter parameter given more often than this (a list of sites, say) is refused with a form error.
FILTER_MAX_VALUES = env_int("FILTER_MAX_VALUES", 20)
# Exports run inside the web request until background jobs exist. One user holds at most this many at once
# (across every worker process: the slots are rows in the database); each must finish within the time budget,
# below gunicorn's worker timeout (30 s), or it stops with a message. A slot older than the stale age belongs to
# a worker that was killed, so it is freed: keep it above the worker timeout.
EXPORT_SLOTS_PER_USER = env_int("EXPORT_SLOTS_PER_USER", 2)
EXPORT_TIME_BUDGET_SECONDS = env_int("EXPORT_TIME_BUDGET_SECONDS", 20)
EXPORT_SLOT_STALE_SECONDS = env_int("EXPORT_SLOT_STALE_SECONDS", 60)
# Where exports spill to disk, one folder per export, removed when it ends (and, after a killed worker, by the
# next export once the folder is older than the stale age).
EXPORT_TEMP_DIR = Path(env("EXPORT_TEMP_DIR") or Path(tempfile.gettempdir()) / "alliance-exports")

# --- Export jobs (exports/jobs.py; docs/operations.md, "Background jobs") ---
# An export estimated above this many rows is offered as a background job rather than a direct download
# (about five seconds of XLSX, the slowest writer, on a small machine); the evidence pack always is one.
EXPORT_DIRECT_MAX_ROWS = env_int("EXPORT_DIRECT_MAX_ROWS", 20_000)
# Jobs one user may have queued or running at once; one more is refused with 429.
EXPORT_JOBS_PER_USER = env_int("EXPORT_JOBS_PER_USER", 2)
# A finished file is kept this long, then purge_export_jobs deletes it and the job reads "expired".
EXPORT_JOB_KEEP_HOURS = env_int("EXPORT_JOB_KEEP_HOURS", 24)
# A job still queued or running after this long lost its worker: purge_export_jobs marks it failed, and it no
# longer counts against its requester's limit.
EXPORT_JOB_STALE_HOURS = env_int("EXPORT_JOB_STALE_HOURS", 6)
# Rows written between two progress reports (each one small file write, never a query per row).
EXPORT_JOB_PROGRESS_EVERY = env_int("EXPORT_JOB_PROGRESS_EVERY", 1000)
# Where finished files are kept (the "export_jobs" storage below): a folder every web and worker process reaches.
EXPORT_JOBS_DIR = Path(env("EXPORT_JOBS_DIR") or BASE_DIR / "var" / "export-jobs")
STORAGES["export_jobs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": EXPORT_JOBS_DIR},
}

# Background work goes through Django's tasks API. TASKS_BACKEND picks the backend:
# - "database" (default): tasks are rows in this database, run by `manage.py db_worker` (make run starts one). Works
#   on SQLite; enough for one machine.
# - "rq": tasks go to Redis (REDIS_URL), run by `manage.py rqworker --job-class django_tasks_rq.Job` on any number of
#   machines.
# - "immediate": run inside the request (tests, and debugging a task).
TASKS_BACKEND = env("TASKS_BACKEND", "database")
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
    }
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    # default_timeout: RQ kills a job after it (its own default is 180 s); an evidence pack may take minutes.
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": EXPORT_JOB_STALE_HOURS * 3600}}
# --- end of export jobs ---

# The cache: the dashboard's drawn panels (milestones/cache.py) and the API's rate counts. CACHE_URL "locmem://"
# (default) keeps it in each process's memory: right for one process (`make run`). Where several processes serve,
# they must share one, or a write seen by one process would not reach the dashboards the others keep and a token's
# requests would be counted per process: file:///a/folder for the gunicorn workers of one machine, a Redis
# (redis://host:6379/1) for several machines (docs/operations.md, "Several machines").
CACHE_URL = env("CACHE_URL") or "locmem://"
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("file://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": CACHE_URL[7:]}}
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "alliance"}}
else:
    raise ImproperlyConfigured(
        "CACHE_URL must be locmem://, file:///a/folder or a Redis URL (redis://, rediss://, unix://), "
        f"not {CACHE_URL!r}."
    )

# A qualification this close to expiry shows as "expiring".
TRAINING_EXPIRING_DAYS = env_int("TRAINING_EXPIRING_DAYS", 60)

# --- Email and digests (digests/; docs/digests.md) ---
# Development prints every email on the console; production sends through the SMTP server named below.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Django waits for ever on an SMTP server that stops answering; a digest run should fail instead.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Alliance Tracker <alliance-tracker@localhost>")
# The address links in emails start with (no trailing slash). In production, https:// and the first allowed host
# unless set; `check --deploy` warns when it is not an https:// address.
SITE_URL = env(
    "SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else "http://127.0.0.1:8000"
).rstrip("/")
# A user's digest is due from this hour of their local day (0: from midnight); run send_digests hourly to use it.
DIGEST_HOUR = env_int("DIGEST_HOUR", 0)
# --- end of email and digests ---

# --- Training-record imports (training/imports/): bounds on what one spreadsheet may ask of a worker. ---
# Listed in docs/operations.md ("Limits"). Each refusal names the limit it hit.
# The file as uploaded; a larger one is refused while it arrives, before it reaches the disk.
TRAINING_IMPORT_MAX_BYTES = env_int("TRAINING_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Data rows (the header not counted): 20,000 previews and imports in seconds.
TRAINING_IMPORT_MAX_ROWS = env_int("TRAINING_IMPORT_MAX_ROWS", 20_000)
# An XLSX is a zip: the XML it expands to, by the members' declared sizes, checked before anything is opened.
TRAINING_IMPORT_MAX_XLSX_EXPANDED_BYTES = env_int("TRAINING_IMPORT_MAX_XLSX_EXPANDED_BYTES", 50 * 1024 * 1024)
# One cell; no field of a training record is longer, and a longer value is never echoed back.
TRAINING_IMPORT_MAX_CELL_CHARS = env_int("TRAINING_IMPORT_MAX_CELL_CHARS", 2_000)
# An upload not confirmed or cancelled within this time is deleted (purge_import_uploads, and on the import pages).
TRAINING_IMPORT_UPLOAD_HOURS = env_int("TRAINING_IMPORT_UPLOAD_HOURS", 24)
# --- end of training-record imports ---

# `make run` serves the illustrative demo data: say so on every page.
DEMO_BANNER = env_bool("DJANGO_DEMO_BANNER", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Production serves HTTPS only; development runs on http://127.0.0.1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
# Container and load-balancer health probes speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only trust X-Forwarded-Proto when a proxy we run sets it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies we run in front of the app, each appending to X-Forwarded-For. The client's address is the
# entry the outermost of them wrote (accounts.addresses); without a proxy the header is ignored, since any
# client can send one.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXIES", 1) if BEHIND_PROXY else 0

# Failed-login throttling: five failures for one username from one address lock that pair out
# for 15 minutes. Pairing both keeps one attacker from locking a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# django-axes reads proxy headers only through django-ipware, which is not installed: without this it would see
# the proxy's address for every client, and one client's failures would lock a username out everywhere.
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
# No "AXES: BEGIN version ..." banner at the start of every management command and worker.
AXES_VERBOSE = False

# Sessions end after 30 idle minutes and, whatever the activity, 10 hours after login
# (enforced by accounts.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_HOURS", 10) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# The API (api/): token or session sign-in, the roles' model permissions, cursor pages, a rate per token.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)  # a token's lifetime; a new one is issued from the preferences page
# Requests per token (per user on the docs page), counted in the cache: per process unless CACHE_URL names a shared one.
API_RATE = env("API_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        # The docs page's "Try it out" runs in the signed-in browser.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerToken"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Tracker API",
    "DESCRIPTION": "Partnership records: read every exported dataset; staff create and update exchanges and "
    "training records, each write with a reason and, for updates, the record's version (If-Match).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # the schema is for signed-in callers
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Content Security Policy: only our own scripts, styles and images; no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The login page's provider buttons post to the app, which redirects to the provider.
        "form-action": ["'self'", *origins(OIDC_PROVIDERS)],
        "frame-ancestors": ["'none'"],
    },
}

# Django's status lines (`[21/Nov/2026 10:00:00] "GET / HTTP/1.1" 200`) only under runserver; everything else goes to
# the root handler once: the "django" logger loses its own console handler, which printed every line a second time.
# 403 and 404 are one line naming the user and the path; tracebacks are for server errors (core.logging).
LOG_LEVEL = env("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_on_one_line": {"()": "core.logging.ClientErrorsOnOneLine"},
        "sign_in_events_only": {"()": "core.logging.SignInEventsOnly"},
    },
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["sign_in_events_only"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"filters": ["client_errors_on_one_line"]},
    },
}

"""Django settings for Remixbank, every value read from the environment with defaults that need nothing installed."""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from deploy.broker import (  # noqa: F401 -- filesystem_broker_options: for the tests
    broker_folder,
    broker_url,
    filesystem_broker_options,
    transport_options,
)
from repository import tracing

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is too small; use {minimum} or more.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, dev_default: str) -> str:
    """A secret: required in production (DEBUG off), a fixed throwaway value in development."""
    value = os.environ.get(name, "")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is false.")
    return dev_default


def env_url(name: str, default: str) -> str:
    value = env_str(name, default)
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={value!r} must be an absolute http(s) URL.")
    return value.rstrip("/")


DEBUG = env_bool("DEBUG", True)
DEVELOPMENT_SECRET_KEY = "remixbank-development-only-not-secret"  # noqa: S105 - public on purpose
SECRET_KEY = env_secret("SECRET_KEY", dev_default=DEVELOPMENT_SECRET_KEY)
DATA_DIR = Path(env_str("REMIXBANK_DATA_DIR", str(BASE_DIR / "var")))

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and urlsplit(SITE_URL).hostname not in {
    "127.0.0.1",
    "localhost",
}:
    # The development key is public: anything signed with it (sessions, preview links) could
    # be forged, so a site served beyond this machine must have its own.
    raise ImproperlyConfigured("SECRET_KEY must be set when SITE_URL is not a local address.")
# Deposited tools are served only from the content domain, each version on an origin of its
# own under this one's host (v<id>-<token>.localhost:8001), so their scripts can never act with
# the main site's cookies nor read another version's storage (DESIGN.md, "Serve"). Chromium
# and Firefox resolve every *.localhost name to loopback, so the default needs no DNS.
CONTENT_ORIGIN = env_url("CONTENT_ORIGIN", "http://localhost:8001")
CONTENT_HOST = urlsplit(CONTENT_ORIGIN).netloc.lower()
_content_name = (urlsplit(CONTENT_ORIGIN).hostname or "").lower()
_site_name = (urlsplit(SITE_URL).hostname or "").lower()
if urlsplit(SITE_URL).netloc.lower() == CONTENT_HOST:
    raise ImproperlyConfigured("CONTENT_ORIGIN must differ from SITE_URL (host or port).")
if not re.search(r"[a-z]", _content_name.rsplit(".", 1)[-1]):
    raise ImproperlyConfigured(
        f"CONTENT_ORIGIN={CONTENT_ORIGIN!r} must have a host name, not an IP address: each "
        "version is served at v<id>-<token>.<that name>, e.g. http://localhost:8001."
    )
if _site_name.endswith("." + _content_name):
    # A version's scripts could set cookies for the content domain and so for the site.
    raise ImproperlyConfigured("SITE_URL must not be under CONTENT_ORIGIN's host name.")
if _content_name.endswith("." + _site_name):
    # Nor the other way round: a version's scripts could set cookies for the site's domain
    # (a session of their choosing, signing a visitor in as someone else).
    raise ImproperlyConfigured(
        "CONTENT_ORIGIN must not be under SITE_URL's host name: give the content domain a "
        "registrable domain of its own (deploy/CONTENT-DOMAIN.md), e.g. "
        "https://remixbank-content.example.net."
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", _site_name, _content_name]
)
if "." + _content_name not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append("." + _content_name)  # every version origin, whatever else is listed
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "repository",
]

MIDDLEWARE = [
    # Outermost, so every log line of the request, the outage ones included, carries its id.
    "repository.web.middleware.RequestIdMiddleware",
    # Next, so it counts every answer, the outage 503s included.
    "repository.web.metrics.RequestMetricsMiddleware",
    # Probes and scrapes reach pods by IP over plain HTTP: answered before host checks.
    "repository.web.health.OpsEndpointsMiddleware",
    "repository.web.outage.DatabaseOutageMiddleware",
    "repository.web.middleware.ContentOriginMiddleware",
    "repository.web.middleware.JsonDepthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sign-in: a taken-down version is its institution's to see, a 410 notice for others.
    "repository.web.moderation.TakenDownMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "repository.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "deploy.urls"
WSGI_APPLICATION = "deploy.wsgi.application"

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
                "repository.web.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'remixbank.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked before each request reuses it, so one that died with
        # the database (restart, failover) is replaced instead of failing a request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable database host fails a request in seconds (503), not after TCP's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so a real worker process can see what the tests wrote; one per test
    # process, so two suites running at once never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-remixbank-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

# While the database (repository/guards/outages.py) is unreachable, pages and the API answer 503 with
# this Retry-After.
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
# Passwords, then each institution's OpenID Connect provider (repository/web/oidc.py).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "repository.web.oidc.InstitutionOidcBackend",
]
# mozilla-django-oidc's settings that are the same for every institution; the provider, client
# and role rules are each institution's, set by its admins on its manage page.
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
# The SAML SP (repository/web/saml.py): its entity id is SAML_SP_BASE_URL (SITE_URL's origin by
# default, from the request) + /accounts/saml/metadata/. A key pair is optional: without one,
# AuthnRequests go unsigned and IdPs must not encrypt assertions.
SAML_SP_BASE_URL = env_str("SAML_SP_BASE_URL", "")
SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE", "")
SAML_METADATA_TIMEOUT = env_int("SAML_METADATA_TIMEOUT", 20, minimum=1)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# Storage of deposited files: a local folder by default, S3-compatible object storage in production.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "local":
    _blob_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("BLOB_STORAGE_DIR", str(DATA_DIR / "blobs"))},
    }
elif STORAGE_BACKEND == "s3":
    _blob_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", "remixbank"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use local or s3.")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "blobs": _blob_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads go straight to a temporary file on disk, never whole into memory.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", "") or None
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# JSON (request bodies, manifests, stored scenarios) nested deeper than this is refused before
# it is parsed (repository/guards/safejson.py); real documents need a handful of levels.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 64, minimum=1)

# Package limits applied to every deposit (repository/storage/packages.py).
PACKAGE_MAX_FILES = env_int("PACKAGE_MAX_FILES", 2000)
PACKAGE_MAX_BYTES = env_int("PACKAGE_MAX_BYTES", 512 * 1024 * 1024)
PACKAGE_MAX_FILE_BYTES = env_int("PACKAGE_MAX_FILE_BYTES", 256 * 1024 * 1024)
PACKAGE_MAX_RATIO = env_int("PACKAGE_MAX_RATIO", 200)

# Celery. The default broker is a folder on disk (kombu's filesystem transport), so the
# quick start needs no server; production points this at RabbitMQ or Redis.
CELERY_BROKER_URL = broker_url()
# The embedded broker's folder; the test suite gives each session its own (tests/conftest.py).
CELERY_BROKER_FOLDER = broker_folder()
CELERY_BROKER_TRANSPORT_OPTIONS = transport_options(CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "checks"
# Remote control (pidbox: shutdown, cancel_consumer, ...) is a broadcast any broker user may
# send; untrusted workers share the broker, so trusted workers ignore it unless turned on.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = env_bool("CELERY_WORKER_ENABLE_REMOTE_CONTROL", False)
# Trusted workers (database, storage) consume checks and results; deposited code runs only on
# untrusted workers (deploy/untrusted.py: broker only, no secrets) consuming sandbox and browser
# (validation) and attempts (learners' variant runs, so validation never waits behind them).
VALIDATION_QUEUES = ["checks", "results", "sandbox", "browser", "attempts"]
CELERY_TASK_ROUTES = {
    "repository.tasks.validate_version": {"queue": "checks"},
    "repository.tasks.reap_stuck_validations": {"queue": "checks"},
    "repository.tasks.flush_outbox": {"queue": "checks"},
    "repository.tasks.revalidate_published": {"queue": "checks"},
    "repository.tasks.run_variant": {"queue": "checks"},
    "repository.tasks.dispatch_attempts": {"queue": "checks"},
    "repository.tasks.attempt_scored": {"queue": "checks"},
    "repository.tasks.post_lti_score": {"queue": "checks"},
    "repository.tasks.clear_lti_state": {"queue": "checks"},
    "repository.tasks.aggregate_usage": {"queue": "checks"},
    "repository.tasks.record_content_result": {"queue": "results"},
    "repository.tasks.record_content_progress": {"queue": "results"},
}
# A run whose worker sent no heartbeat for this long is queued again (a worker beats every
# third of it); the reaper looks this often.
VALIDATION_HEARTBEAT_SECONDS = env_int("VALIDATION_HEARTBEAT_SECONDS", 60)
VALIDATION_REAP_EVERY_SECONDS = env_int("VALIDATION_REAP_EVERY_SECONDS", 30)
CELERY_BEAT_SCHEDULE = {
    # Messages committed while the broker was down (repository/queue.py) go out soon after it is back.
    "flush-outbox": {
        "task": "repository.tasks.flush_outbox",
        "schedule": 30.0,
    },
    "reap-stuck-validations": {
        "task": "repository.tasks.reap_stuck_validations",
        "schedule": float(VALIDATION_REAP_EVERY_SECONDS),
    },
    # A trickle of re-validations after a validator change, so new deposits never wait long.
    "revalidate-published": {
        "task": "repository.tasks.revalidate_published",
        "schedule": 600.0,
    },
    # LTI logins never completed leave a nonce and a state behind (repository/lti/storage.py).
    "clear-lti-state": {
        "task": "repository.tasks.clear_lti_state",
        "schedule": 3600.0,
    },
    # Usage events of finished days become daily counts and are deleted with the day's salt.
    # Hourly, so a missed night is caught up; a day is counted once it is over (UTC).
    "aggregate-usage": {
        "task": "repository.tasks.aggregate_usage",
        "schedule": 3600.0,
    },
}
# Work orders: a version's files travel inside the message up to this size (a zip), beyond it
# as an address on this site, signed for that order and valid this long, that the untrusted
# workers fetch (VALIDATION_ORDER_FETCH_URL: how they reach the site, SITE_URL by default).
VALIDATION_ORDER_INLINE_BYTES = env_int("VALIDATION_ORDER_INLINE_BYTES", 8 * 1024 * 1024)
VALIDATION_ORDER_FETCH_URL = env_url("VALIDATION_ORDER_FETCH_URL", SITE_URL)
VALIDATION_ORDER_FETCH_MAX_AGE_SECONDS = env_int("VALIDATION_ORDER_FETCH_MAX_AGE_SECONDS", 3600)
# How long a variant run's order stays answerable.
VALIDATION_ORDER_MAX_AGE_SECONDS = env_int("VALIDATION_ORDER_MAX_AGE_SECONDS", 24 * 3600)
# Artefacts (plots, screenshots) an untrusted worker may send back per run.
VALIDATION_ARTEFACT_MAX_BYTES = env_int("VALIDATION_ARTEFACT_MAX_BYTES", 4 * 1024 * 1024)
VALIDATION_ARTEFACT_MAX_COUNT = env_int("VALIDATION_ARTEFACT_MAX_COUNT", 40)
REVALIDATION_BATCH = env_int("REVALIDATION_BATCH", 20)
# Off only where deposited code must not run at all (some test suites): the run steps are
# then recorded as skipped, never as passed.
VALIDATION_RUN_CONTENT = env_bool("VALIDATION_RUN_CONTENT", True)
# Off: no use of any version is recorded (pages still show the counts already made).
USAGE_STATISTICS = env_bool("USAGE_STATISTICS", True)
# LTI platforms' addresses (JWKS, token, line items) are refused when they resolve to loopback,
# private or link-local addresses, so a registration cannot make Remixbank call into its own
# network; true for a VLE on the same private network.
LTI_PRIVATE_ADDRESSES = env_bool("LTI_PRIVATE_ADDRESSES", False)
# The same for identity providers' addresses (OIDC discovery, token, keys, userinfo; SAML
# metadata feeds), which an institution's admin types.
SIGNIN_PRIVATE_ADDRESSES = env_bool("SIGNIN_PRIVATE_ADDRESSES", False)
# Seconds of seeded random clicks, taps, drags and keys after a tool loads.
VALIDATION_FUZZ_SECONDS = float(env_int("VALIDATION_FUZZ_MS", 1500)) / 1000
# A deposited Jupyter notebook's run in the sandbox: the limit for one cell (one that passes it
# is named as looping) and for the whole notebook, kernel start included.
VALIDATION_NOTEBOOK_CELL_SECONDS = env_int("VALIDATION_NOTEBOOK_CELL_SECONDS", 60)
VALIDATION_NOTEBOOK_SECONDS = env_int("VALIDATION_NOTEBOOK_SECONDS", 300)
# How long a tool's load on the phone over slow 3G may take to become interactive; a tool that
# is not is told so as a warning, with the bytes that had arrived by then (never a failure).
VALIDATION_SLOW_3G_SECONDS = env_int("VALIDATION_SLOW_3G_SECONDS", 10, minimum=1)
if VALIDATION_SLOW_3G_SECONDS > 120:  # the browser task's whole check must fit its time limit
    raise ImproperlyConfigured(
        f"VALIDATION_SLOW_3G_SECONDS={VALIDATION_SLOW_3G_SECONDS} is too large; use 120 or less."
    )
VALIDATION_MAX_ATTEMPTS = env_int("VALIDATION_MAX_ATTEMPTS", 3)
# An order our side could not run (the browser would not start, the files could not be fetched)
# is sent again at most this many times, and no run goes on past its deadline: then it ends in
# error ("could not finish"), never blamed on the deposit.
VALIDATION_ORDER_MAX_RETRIES = env_int("VALIDATION_ORDER_MAX_RETRIES", 6)
VALIDATION_RUN_DEADLINE_SECONDS = env_int("VALIDATION_RUN_DEADLINE_SECONDS", 6 * 3600)
# A learner's variant run still queued or running this long after it was queued is ended
# (in error, our fault) by the reaper, so it stops counting against their waiting allowance.
VARIANT_RUN_DEADLINE_SECONDS = env_int("VARIANT_RUN_DEADLINE_SECONDS", 3600)
VALIDATION_STUCK_AFTER_SECONDS = env_int("VALIDATION_STUCK_AFTER_SECONDS", 900)

# Requests for learners' variant runs (repository/actions/variants.py): how many each person,
# and each institution's members together, may ask for per minute, and how many of one
# person's runs may wait or run at once. People with no institution share one allowance.
VARIANT_RUNS_PER_MINUTE_USER = env_int("VARIANT_RUNS_PER_MINUTE_USER", 10, minimum=1)
VARIANT_RUNS_PER_MINUTE_INSTITUTION = env_int("VARIANT_RUNS_PER_MINUTE_INSTITUTION", 200, minimum=1)
VARIANT_RUNS_WAITING_PER_USER = env_int("VARIANT_RUNS_WAITING_PER_USER", 5, minimum=1)

# Learners' attempts ("Program it", repository/actions/attempts.py). A scenario may set its own
# time limit (its `attempts.time_limit_s`); this is the site's default, in wall-clock seconds.
ATTEMPT_TIME_LIMIT_SECONDS = env_int("ATTEMPT_TIME_LIMIT_SECONDS", 10, minimum=1)
ATTEMPT_MEMORY_MIB = env_int("ATTEMPT_MEMORY_MIB", 512, minimum=64)
# Code longer than this is refused before anything is stored (a controller is a few KB).
ATTEMPT_CODE_MAX_BYTES = env_int("ATTEMPT_CODE_MAX_BYTES", 64 * 1024, minimum=1024)
# Reports of versions ("Report this") one address may send per hour (counted in the database).
REPORTS_PER_HOUR = env_int("REPORTS_PER_HOUR", 10, minimum=1)
# Per person: submissions per minute, and attempts waiting or running at once.
ATTEMPTS_PER_MINUTE_USER = env_int("ATTEMPTS_PER_MINUTE_USER", 10, minimum=1)
ATTEMPTS_WAITING_PER_USER = env_int("ATTEMPTS_WAITING_PER_USER", 3, minimum=1)
# Per institution (all its learners together): submissions per minute, and attempts waiting or
# running at once (the bounded queue: beyond it, new submissions are refused saying when to retry).
ATTEMPTS_PER_MINUTE_INSTITUTION = env_int("ATTEMPTS_PER_MINUTE_INSTITUTION", 2000, minimum=1)
ATTEMPTS_WAITING_PER_INSTITUTION = env_int("ATTEMPTS_WAITING_PER_INSTITUTION", 1000, minimum=1)
# Fair share: at most this many of one institution's attempts are on the attempts queue at once;
# the rest wait in the database and are sent oldest first, institutions taking turns, so one
# class's flood never stands in front of another class's attempts. Set it to about the number
# of attempts worker processes.
ATTEMPTS_IN_FLIGHT_PER_INSTITUTION = env_int("ATTEMPTS_IN_FLIGHT_PER_INSTITUTION", 4, minimum=1)
# An attempt still open this long after it was submitted is ended (our fault) by the reaper.
ATTEMPT_DEADLINE_SECONDS = env_int("ATTEMPT_DEADLINE_SECONDS", 1800, minimum=60)
# A running attempt whose result has not come this long after its own time limit ran out is
# ended (our fault) by the reaper: its worker died. Covers the sandbox's start and the plots.
ATTEMPT_GRACE_SECONDS = env_int("ATTEMPT_GRACE_SECONDS", 30, minimum=1)

# /readyz (repository/web/health.py) reports the workers down when no trusted worker ran its
# 30-second periodic task within this many seconds; 0 leaves the workers out of readiness.
READYZ_WORKERS_SEEN_SECONDS = env_int("READYZ_WORKERS_SEEN_SECONDS", 120, minimum=0)
# /metrics (repository/web/metrics.py) answers scrapers at these addresses or networks that
# reach it directly (not through a proxy), and anyone sending "Authorization: Bearer <token>".
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS: {_network!r} is not an address or network (e.g. 10.0.0.0/8)."
        ) from None

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Remixbank <noreply@remixbank.invalid>")

# The OAI-PMH data provider at /oai/ (repository/exchange/oai.py): its Identify answer, the
# namespace of item identifiers (oai:<this>:<institution>/<resource>/v<n>; the SITE_URL host
# by default) and how many records one list response holds before a resumption token.
OAI_REPOSITORY_NAME = env_str("OAI_REPOSITORY_NAME", "Remixbank")
OAI_REPOSITORY_IDENTIFIER = env_str("OAI_REPOSITORY_IDENTIFIER", "")
OAI_ADMIN_EMAILS = env_list("OAI_ADMIN_EMAILS", ["noreply@remixbank.invalid"])
OAI_PAGE_SIZE = env_int("OAI_PAGE_SIZE", 200, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error, DRF's and the domain's, leaves in one JSON shape (repository/api/errors.py).
    "EXCEPTION_HANDLER": "repository.api.errors.api_exception_handler",
    # Per client (OAuth2 application, else user, else address); see repository/api/throttling.py.
    # How many proxies in front append to X-Forwarded-For (1 behind deploy/nginx.conf). 0 means
    # clients are identified by their own address, so a forged header cannot dodge throttling.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_THROTTLE_RATES": {
        "api.read": env_str("API_THROTTLE_READ", "1200/minute"),
        "api.write": env_str("API_THROTTLE_WRITE", "120/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Remixbank API",
    "DESCRIPTION": "Deposit, harvest, fork and follow validation of learning tools and scenarios.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Interactive docs load their assets from this site, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so multipart uploads are typed as binary.
    "COMPONENT_SPLIT_REQUEST": True,
    "OAUTH2_FLOWS": ["authorizationCode", "clientCredentials"],
    "OAUTH2_AUTHORIZATION_URL": "/o/authorize/",
    "OAUTH2_TOKEN_URL": "/o/token/",
    "OAUTH2_REFRESH_URL": "/o/token/",
}
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read resources and versions",
        "deposit": "Deposit and fork",
        "contribute": "Propose contributions",
        "review": "Review contributions and publish",
        "admin": "Manage the institution",
    },
    "PKCE_REQUIRED": True,
    # Short-lived access tokens; refresh tokens rotate and live a month (revocable at /o/revoke_token/).
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_ACCESS_TOKEN_EXPIRE_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_REFRESH_TOKEN_EXPIRE_SECONDS", 30 * 24 * 3600),
    # RFC 9700 now rather than at django-oauth-toolkit 4.0: no implicit or password grants,
    # no "plain" PKCE, no access tokens in query strings.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
}
# Named so migrations that point at OAuth2 applications (repository.ApiClient) resolve it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# One JSON object per line, each with the request id (repository/tracing.py); Celery workers
# and beat use the same configuration at the level given by their -l option.
LOGGING = tracing.logging_config(env_str("LOG_LEVEL", "INFO"))
# pysaml2's schema library says at INFO each time it reads one of its bundled schemas.
LOGGING.setdefault("loggers", {})["xmlschema"] = {"level": "WARNING"}

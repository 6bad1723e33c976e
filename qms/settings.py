"""Settings for the QMS leadership dashboard: one module, every knob from the environment.

With no environment set, the app runs the embedded demo: SQLite (WAL, busy timeout) and a
Celery broker on the local filesystem, so a newcomer needs nothing but Python. `DATABASE_URL`
and `REDIS_URL` switch it to PostgreSQL and Redis. DEBUG is off unless set, and production
hardening follows it: `make demo` and `make test` (through `QMS_TESTING`) switch DEBUG on.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class _Env(environ.Env):
    """django-environ, whose whole numbers name the setting that is wrong in a sentence (a
    bare ValueError traceback at start-up did not say which of 30 settings it was)."""

    def int(self, var, default=environ.Env.NOTSET):
        try:
            return super().int(var, default=default)
        except ValueError:
            example = default if default is not self.NOTSET else 30
            raise ImproperlyConfigured(
                f"{var} must be a whole number, e.g. {example} (it is {self.ENVIRON.get(var)!r})."
            ) from None


env = _Env()

# Everything the embedded default writes (SQLite file, filesystem broker, uploads) lives here.
DATA_DIR = Path(env.str("QMS_DATA_DIR", default=str(BASE_DIR / "var")))


def env_secret(name: str, default: str | None = None) -> str | None:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (Docker/Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


TESTING = env.bool("QMS_TESTING", default=False)
# Off unless set, so a deployment that forgets it is hardened, not open. The test suite starts
# from the demo's settings (pytest-django turns DEBUG off again inside each test); the
# production settings are tested in a subprocess (tests/security/test_headers.py).
DEBUG = env.bool("DEBUG", default=TESTING)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. For the local demo, "
            "run `make demo`, or set DEBUG=True for a manage.py command."
        )
    # Only the local demo gets a fixed key; it is never used with DEBUG off.
    SECRET_KEY = "insecure-demo-key-only-for-local-debug"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "treebeard",
    "axes",
    "csp",
    "django_celery_beat",
    "django_celery_results",
    # Ours, bottom to top of the dependency order (see DESIGN.md).
    "qms.core",
    "objectives",
    "leadership",
    "leadership.communication",
    "leadership.engagement",
    "reviews",
    "qms.dashboard",
    "qms.evidence",
]

MIDDLEWARE = [
    # /healthz before the host check and the HTTPS redirect: probes call it by address.
    "qms.core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qms.core.limits.RequestSizeLimitMiddleware",  # before CSRF, which reads the body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the messages middleware: it adds a message when a save's tasks had to wait.
    "qms.core.outbox.BackgroundWorkMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "qms.core.middleware.OrganizationMiddleware",
    "qms.evidence.middleware.AuditorAccessMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"

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
                "qms.core.context_processors.navigation",
                "qms.core.context_processors.sso",
                "qms.core.notifications.context.unread_notifications",
                "qms.core.health.background_work",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'qms.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web server and worker share the file: WAL lets readers and one writer work at once, the
    # busy timeout makes a writer wait for the lock instead of failing with "database is locked",
    # and IMMEDIATE transactions take the write lock up front so a transaction never has to
    # upgrade a read lock mid-way (the upgrade is what fails regardless of the timeout).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, result backend and cache when set -------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis for IGNORE_EXCEPTIONS: with Redis down, a cache read is a miss and a
            # write is dropped (logged), so pages still render; short timeouts keep a dead
            # Redis from holding each request.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "qms",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = DATA_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Publishing gives up after one more connection attempt (the task then waits in the
        # outbox, qms.core.outbox) instead of holding the request.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        # A message a worker took but never acknowledged comes back after this long: longer
        # than any run may take (CELERY_TASK_TIME_LIMIT), so a redelivery means the first run
        # is dead, never that it is still going (objectives.imports relies on it).
        "visibility_timeout": max(3600, 2 * env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)),
    }
    # Queueing a task first subscribes to its result: with Redis down, the result backend's
    # default (20 reconnections a second apart, then RuntimeError) held a request for 20 s.
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
else:
    # Embedded default: kombu's filesystem transport, a folder of message files that the web
    # server writes and the worker reads; results go to the database (django-celery-results).
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="django-db")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        # The worker looks for new messages twice a second (kombu's default is once): a task
        # starts sooner, and a stopping worker notices sooner.
        "polling_interval": 0.5,
    }
    if CELERY_BROKER_URL == "filesystem://":
        # Publisher (web) and consumer (worker) both need the folders before the first message.
        for _folder in ("queue", "processed"):
            (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
# Tests run tasks inline unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_RESULT_EXTENDED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request queueing a task gives up on an unreachable broker after about two seconds
# (qms.core.health then tells the user that background work is delayed) instead of hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# How long a broker check's answer is reused (qms.core.health), so pages cost no connection.
QMS_BROKER_CHECK_SECONDS = env.int("QMS_BROKER_CHECK_SECONDS", default=10)
# How often beat asks the worker for a heartbeat; the status page calls the worker late after
# twice this interval.
QMS_HEARTBEAT_SECONDS = env.int("QMS_HEARTBEAT_SECONDS", default=60)
# Work a page waits for (a recalculated status, an import, a pack, the dashboard's rollups) that
# the worker has not picked up after this long is reported as such, with what to do.
QMS_WORKER_PATIENCE_SECONDS = env.int("QMS_WORKER_PATIENCE_SECONDS", default=120)

# --- Reminders and escalations (qms.core.notifications) ------------------------------------
# e.g. https://qms.example.com: makes links in e-mails absolute (the local demo by default).
QMS_BASE_URL = env.str("QMS_BASE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# How long an invitation's e-mailed link works (qms/core/invitations).
QMS_INVITATION_DAYS = env.int("QMS_INVITATION_DAYS", default=14)
ACTION_DUE_SOON_DAYS = env.int("ACTION_DUE_SOON_DAYS", default=3)
ACTION_ESCALATION_DAYS = env.int("ACTION_ESCALATION_DAYS", default=7)  # overdue > N days
KPI_ESCALATION_DAYS = env.int("KPI_ESCALATION_DAYS", default=7)  # N days after it was due
POLICY_ACK_REMINDER_DAYS = env.int("POLICY_ACK_REMINDER_DAYS", default=14)
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", default=3)
# Days before a management review when its attendees are reminded; inputs not compiled by the
# first of REVIEW_PREPARE_DAYS before it, the organisers are.
REVIEW_REMINDER_DAYS = env.list("REVIEW_REMINDER_DAYS", cast=int, default=[14, 7, 1])
REVIEW_PREPARE_DAYS = env.int("REVIEW_PREPARE_DAYS", default=7)
# Remind a communication-plan item's communicator N days before it is due (and once when missed).
COMMUNICATION_REMINDER_DAYS = env.int("COMMUNICATION_REMINDER_DAYS", default=3)
# Staff engagement (leadership.engagement): quality managers are reminded of a suggestion
# waiting longer than this; pulse survey rounds open every N days and stay open M days; an
# objective green this many periods in a row is a milestone to recognise.
SUGGESTION_TRIAGE_DAYS = env.int("SUGGESTION_TRIAGE_DAYS", default=14)
PULSE_SURVEY_INTERVAL_DAYS = env.int("PULSE_SURVEY_INTERVAL_DAYS", default=91)
PULSE_SURVEY_OPEN_DAYS = env.int("PULSE_SURVEY_OPEN_DAYS", default=14)
# The key that seals pulse survey answers while their round is open (AES-GCM, one key per round
# derived from this one); at the close they are counted into the round's results and deleted.
# Without it, SECRET_KEY is used. Change either only while no round is open: the answers of an
# open round cannot be opened with another key.
SURVEY_SEALING_KEY = env_secret("SURVEY_SEALING_KEY", default="") or ""
MILESTONE_GREEN_PERIODS = env.int("MILESTONE_GREEN_PERIODS", default=3)
# Competence (leadership): days after a training before its effectiveness is evaluated, and
# how long before a competence expires its holder and the quality managers are reminded.
TRAINING_EVALUATION_DAYS = env.int("TRAINING_EVALUATION_DAYS", default=90)
COMPETENCE_EXPIRY_REMINDER_DAYS = env.int("COMPETENCE_EXPIRY_REMINDER_DAYS", default=60)

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in with the company account (OpenID Connect, qms/core/sso.py): on when a client id is
# set. Endpoints from the identity provider's documentation (or its
# /.well-known/openid-configuration).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_RP_CLIENT_SECRET", default="") or ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
# "acme.example=acme,acme.co.uk=acme": the organisation a new user joins, by e-mail domain.
OIDC_DOMAIN_ORGANIZATIONS = env.str("OIDC_DOMAIN_ORGANIZATIONS", default="")
# Empty: new users wait for an administrator. Else contributor, quality_manager or auditor.
OIDC_DEFAULT_ROLE = env.str("OIDC_DEFAULT_ROLE", default="")
# An auditor's access is time-boxed: with OIDC_DEFAULT_ROLE=auditor, a new SSO user's access
# ends this many days after their first sign-in (1 to 366; checked at start-up).
OIDC_AUDITOR_ACCESS_DAYS = env.int("OIDC_AUDITOR_ACCESS_DAYS", default=30)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"

# Outgoing webhooks (qms/core/webhooks).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=5)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("qms.core.sso.CompanyAccountBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The client's address: the reverse proxies in front of the app that append to X-Forwarded-For
# (nginx's $proxy_add_x_forwarded_for, a load balancer). 0, the default: the header is ignored
# and the connection's address is the client's, since anyone can send the header; N: the N-th
# address from the end of the header, the one the outermost proxy saw. The API token throttle
# and the login lockout both key on it (`qms.core.client_address`).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT is {TRUSTED_PROXY_COUNT}: set it to the number of reverse proxies "
        "in front of the app (0 when clients connect to it directly)."
    )

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for a username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "qms.core.client_address.client_address"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # a working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Production hardening (on whenever DEBUG is off) ----------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp), in the demo too so that a page that breaks it breaks
# in the browser tests. Scripts only from our own static files (charts start from data in
# json_script blocks, no inline code). Styles allow 'unsafe-inline': Plotly inserts <style>
# elements and style attributes when it draws, and a few templates size bars with style=""; an
# injected style cannot run code. Forms post only here: the company sign-in starts from a link,
# not a form, so the identity provider needs no entry.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The Django admin is for platform operators; its path is configurable so it is not guessable.
ADMIN_URL = env.str("ADMIN_URL", default="django-admin/")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js is served from the installed plotly package, so it always matches it.
    "qms.core.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# Evidence packs (qms/evidence). Each organisation signs its packs with its own Ed25519 key, made
# on its first pack and kept in the database with its private half sealed under a key derived
# from EVIDENCE_KEY_ENCRYPTION_KEY (SECRET_KEY when unset: then changing SECRET_KEY means
# rotating every organisation's key). EVIDENCE_SIGNING_KEY / _FILE is the platform key that
# signed every pack before per-organisation keys: only its public half is used now, so packs it
# signed still verify; it is never generated any more.
EVIDENCE_KEY_ENCRYPTION_KEY = env_secret("EVIDENCE_KEY_ENCRYPTION_KEY", default="") or ""
EVIDENCE_SIGNING_KEY = env.str("EVIDENCE_SIGNING_KEY", default="")
EVIDENCE_SIGNING_KEY_FILE = env.str(
    "EVIDENCE_SIGNING_KEY_FILE", default=str(DATA_DIR / "evidence-signing-key.pem")
)
EVIDENCE_PACK_EXPIRY_DAYS = env.int("EVIDENCE_PACK_EXPIRY_DAYS", default=30)
EVIDENCE_MAX_PERIOD_DAYS = env.int("EVIDENCE_MAX_PERIOD_DAYS", default=3 * 366)
MEDIA_URL = "media/"
# Uploads larger than this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# --- E-mail ---------------------------------------------------------------------------------
# The demo (DEBUG) writes what it would send to files under the data folder, one per e-mail
# (qms.core.mail_files), rather than pouring a thousand reminder e-mails into the console
# between the demo's logins and its first page.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="qms.core.mail_files.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="qms@localhost")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous call gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qms.core.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's AutoSchema, plus the error answers (400/401/403/404/409/...) each view
    # can give, so that a new endpoint's schema promises what it really answers.
    "DEFAULT_SCHEMA_CLASS": "qms.core.api.schema.ErrorDocumentingAutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_THROTTLE", default="10/min")},
    # Without it DRF keys throttles on the whole X-Forwarded-For header, which a client
    # writes: a new header each request and the token throttle never bites.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # An unexpected error answers a generic JSON 500 (details only in the log), not HTML.
    "EXCEPTION_HANDLER": "qms.core.api.errors.exception_handler",
}
# A filter left empty reads "Any" in the register filters, not Django's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Any"
SPECTACULAR_SETTINGS = {
    "TITLE": "QMS leadership dashboard API",
    "DESCRIPTION": (
        "Read and record the evidence of ISO 9001 leadership. Every resource lives under an "
        "organisation (`/api/v1/organizations/{slug}/...`); a record of an organisation you are "
        "not a member of answers 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "RagStatusEnum": "objectives.models.Rag",
        "ObjectiveStatusEnum": "objectives.models.QualityObjective.Status",
        "ManagementReviewStatusEnum": "reviews.models.management_reviews.ReviewStatus",
        "OrgUnitKindEnum": "qms.core.models.OrgUnit.Kind",
    },
}

# --- Audit trail (django-simple-history) ----------------------------------------------------
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True  # evidence is never "reverted" in place

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each PDF's layout steps at INFO (seven lines a board PDF): its warnings
    # and errors are what an operator needs.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

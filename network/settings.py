"""Settings of Методсеть.

Everything that differs between a laptop and a server comes from the environment.
Without any variables the portal runs on the embedded default: SQLite and Celery's
filesystem transport, so that `make run` needs no external service.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from kombu import Queue

from network.storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("METODSET_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    # Only good for a laptop; production refuses to start without SECRET_KEY (see below).
    "dev-insecure-metodset-key-change-me-in-production-0123456789abcdef"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Production: PRODUCTION=1 turns on every protection `manage.py check --deploy` asks for.
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION:
    if not os.environ.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set when PRODUCTION=1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

INSTALLED_APPS = [
    "network.adminsite.SuperuserAdminConfig",  # the admin is for the superuser only (network/adminsite.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "guardian",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_celery_beat",
    "import_export",
    "csp",
    "network",
    "orgunits",
    "people",
    "plans",
    "programs",  # programs and their roadmaps (moved out of plans)
    "reports",
    "monitoring",
    "submissions",
    "meetings",
    "orders",
    "growth",
    "surveys",  # the needs surveys (moved out of growth)
    "events",
    "practices",
    "registers",
    "history",
    "public",  # the open pages of a region (001 §1.3) and the calendar feeds
    "worklist",  # «Мои задачи» and «Входящие»: every app's <app>/worklist.py providers (worklist/registry.py)
    "workflow",  # the one workflow engine: every state change of every document (workflow/engine.py)
    "accounts",
    # The read-only JSON API for regional systems (/api/v1/, api/): DRF with an OpenAPI schema.
    "rest_framework",
    "drf_spectacular",
    "api",
    # Demo data (`load_demo_network`): installed everywhere — it has no models or URLs — and its command
    # refuses when DEMO_ENABLED is off, so production and development run the same app list.
    "demo",
    "axes",  # login throttling (accounts/lockouts.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's CSPMiddleware, except on PDFs (network/middleware.py says why)
    "network.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "history.context.HistoryMiddleware",  # who acts, through what (history/context.py)
    # Pages show times in the viewer's region (issue 13): its time zone is active for the request.
    "network.middleware.RegionTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages so that its 400 page has the user's menu; before any view reads the input.
    "network.middleware.RejectNulBytesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Ends sessions idle for SESSION_IDLE_TIMEOUT; after auth and messages (it logs out and says why).
    "accounts.middleware.IdleTimeoutMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp 4): scripts, styles, fonts and images only from the portal itself,
# no inline code or styles (templates keep behaviour in static/js and looks in static/css), no frames.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

ROOT_URLCONF = "network.urls"
WSGI_APPLICATION = "network.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own templates (base, errors, PDF base, overrides of contrib's registration/*)
        # come before every app's, so they override django.contrib.admin's.
        "DIRS": [BASE_DIR / "network" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.portal",
                "orgunits.context_processors.region_admin",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'metodset.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", 60)),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process, the worker and beat read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif os.environ.get("DB_POOLER", "").lower() in ("1", "true", "yes", "pgbouncer"):
    # Behind PgBouncer in transaction mode a connection is another client's between two transactions,
    # so a named (server-side) cursor opened by .iterator() outside atomic() would vanish mid-read
    # (docs/postgresql.md). Streaming reads then fetch in chunks client-side instead.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: public pages never read grants
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2id with parameters measured for this server (accounts/hashers.py); PBKDF2 stays listed so that
# older hashes still verify, and Django re-hashes them with Argon2id at the next login.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Sessions: SESSION_COOKIE_AGE is the absolute limit from the login (Django's two weeks unless set);
# SESSION_IDLE_TIMEOUT ends a session after this many seconds without a request (8 hours: a working day).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 60 * 60 * 8))

# Login throttling (django-axes, accounts/lockouts.py): a username is locked after AXES_FAILURE_LIMIT
# failures, a client address after ACCOUNTS_ADDRESS_FAILURE_LIMIT (higher: a school behind one NAT address),
# both for AXES_COOLOFF_TIME after the last failure. Regional administrators unlock at /accounts/lockouts/.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
ACCOUNTS_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", 20))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
# A refused attempt during a lock does not extend it: the time on the page is the real time to wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "accounts.lockouts.PortalAxesHandler"  # the address limit; success forgets only own typos
AXES_LOCKOUT_CALLABLE = "accounts.lockouts.lockout_response"  # the login page with the time to wait, 429
AXES_CLIENT_IP_CALLABLE = "accounts.lockouts.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure and lock kept in axes's AccessFailureLog
AXES_VERBOSE = False  # our own log line per lock (logger accounts.security) instead of axes's banner
# Reverse proxies in front of the portal that append X-Forwarded-For (1 behind nginx); 0 trusts REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))

# Password reset (accounts/passwords.py): requests per hour from one address and for one e-mail, and the
# fixed time every answer takes so that known and unknown e-mails cannot be told apart.
PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS", 10))
PASSWORD_RESET_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_PER_EMAIL", 3))
PASSWORD_RESET_MIN_SECONDS = float(os.environ.get("PASSWORD_RESET_MIN_SECONDS", 0.5))

LANGUAGE_CODE = "ru"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one on every start
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Outside production whitenoise serves straight from the apps' static folders, so the portal
# is styled under `make run` without collectstatic; production serves the collected files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Files (scans, attachments, PDFs, exports): the local MEDIA_ROOT by default; with STORAGE_URL
# (s3://KEY:SECRET@host:port/bucket?region=…&secure=0|1) an S3-compatible object store, private objects,
# every download proxied through the portal's permission-checked views (network/storage.py). MEDIA_URL is
# never routed: no file is served by its address.
STORAGE_URL = os.environ.get("STORAGE_URL", "")
STORAGES = {
    "default": default_storage_config(STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: console by default, SMTP when EMAIL_HOST is given.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Методсеть <noreply@metodset.local>")

# Celery: the filesystem transport needs no service; Redis in production and CI.
CELERY_FS_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "results", "control"):
        (CELERY_FS_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        # Broadcast (worker control) messages; kombu's default is ./control in the working directory.
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", f"file://{CELERY_FS_DIR / 'results'}")
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when the broker is down: a request waits ~1 s, not 19 s, and the job row
# stays «ждёт очереди» until the periodic network.requeue_jobs sends it (network/jobs.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
if not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_connect_timeout": 2, "max_retries": 1}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
    }
# Named queues (issue 14): a big export never delays a letter. Tasks are routed by name; a task no route
# names goes to the default queue «celery». A worker consumes the queues given by -Q (`make worker` all of them,
# docker-compose.yml one service per group); tests/test_queues.py checks every task lands in a declared queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_QUEUE_NAMES = ("celery", "mail", "pdf", "exports", "monitoring", "sweep")
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES)
CELERY_TASK_ROUTES = {
    "network.relay_mail": {"queue": "mail"},
    "network.render_document": {"queue": "pdf"},
    "registers.*": {"queue": "exports"},  # exports, import checks and loads
    "monitoring.*": {"queue": "monitoring"},
    "network.regional_sweep": {"queue": "sweep"},
    "network.requeue_jobs": {"queue": "sweep"},
    "submissions.deadline_sweep": {"queue": "sweep"},
}
# A job queued this long ago and not started, or running this long without a sign of life, is sent again.
JOBS_STALE_MINUTES = int(os.environ.get("JOBS_STALE_MINUTES", "30"))
# A job that crashed its worker this many times is marked failed instead of being sent again.
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))

# The address of the portal, for links in e-mails.
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")

# The daily sweep runs per region at its local morning (issue 13, time is the region's): the beat starts it
# every hour, and each region whose local time is past SWEEP_LOCAL_HOUR is swept once for its local date
# (network.models.SweepRun). `run_deadline_sweep --date` still sweeps every region for one date.
SWEEP_LOCAL_HOUR = int(os.environ.get("SWEEP_LOCAL_HOUR", os.environ.get("SWEEP_HOUR", 6)))

# django-celery-beat copies this into its tables.
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {
        "task": "network.regional_sweep",
        "schedule": crontab(minute=5),  # every hour; the regions decide whose morning it is
    },
    # The mail outbox (network.notify): letters leave within a minute even if queueing on commit failed.
    "mail-relay": {
        "task": "network.relay_mail",
        "schedule": 60.0,
        "options": {"expires": 55},  # a run that could not start in its minute is replaced by the next
    },
    # Background jobs (exports, PDFs, computations, imports) the broker did not take, or lost, are sent again.
    "requeue-jobs": {
        "task": "network.requeue_jobs",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
}

# The demo network and its logins exist only outside production.
DEMO_ENABLED = not PRODUCTION

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
PAGE_SIZE = 25

# A teacher is a "young specialist" for this many years from the year teaching began (002).
YOUNG_SPECIALIST_YEARS = int(os.environ.get("YOUNG_SPECIALIST_YEARS", 3))
# A register export of more rows than this is written by a Celery worker (progress page, link).
REGISTER_SYNC_ROWS = int(os.environ.get("REGISTER_SYNC_ROWS", "20000"))
# Every import is checked and loaded, and every monitoring computation runs, in a Celery worker with a progress
# page (issue 14): REGISTER_IMPORT_SYNC_ROWS and MONITORING_SYNC_UNITS are gone.
# The largest file an import accepts.
REGISTER_IMPORT_MAX_BYTES = int(os.environ.get("REGISTER_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# An .xlsx unpacked may be no larger (checked in the zip's table before parsing: zip bombs);
# 50 000 rows of a register are about 40 MB of XML.
REGISTER_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("REGISTER_IMPORT_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024)))

# The read-only API (api/, /api/v1/): per-user tokens (api.models.ApiToken, only their hash is kept) or the
# browser's session, every list through restrict(), cursor pages, a rate limit per user. The limit counts in
# API_CACHE_URL (Redis, e.g. redis://redis:6379/2) so that every web node counts together; without it each
# process counts on its own (fine for one process; `check --deploy` notes it: api.I001).
API_CACHE_URL = os.environ.get("API_CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": API_CACHE_URL, "KEY_PREFIX": "api"}
        if API_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",  # first: a request without credentials gets 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.ApiUserThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_user": os.environ.get("API_RATE", "1200/hour")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Методсеть API",
    "DESCRIPTION": "Реестры сети научно-методического сопровождения педагогов только для чтения: подразделения "
    "с цепочкой вышестоящих, педагоги, членство, кампании и состояние документов, планы и отчёты, заседания, "
    "приказы, мероприятия, результаты мониторинга. Каждый ответ содержит только то, что пользователь токена "
    "видит на портале.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

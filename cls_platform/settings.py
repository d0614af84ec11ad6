"""Trame settings: one module, driven by the environment (see README, "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRAME_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "dev-only-insecure-key-never-used-in-production-0123456789abcdef" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG est désactivé.")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
# The port `make run` serves (it passes PORT to runserver's environment): links in e-mails point
# there unless SITE_URL says otherwise.
PORT = os.environ.get("PORT", "").strip() or "8000"
SITE_URL = (os.environ.get("SITE_URL", "").strip() or f"http://127.0.0.1:{PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("http") else []

INSTALLED_APPS = [
    "cls_platform",
    "partners",
    "actions",
    "workgroups",
    "evaluation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_filters",
    "auditlog",
    "demo",
]

# Widget templates come from the project's templates first (a faster <select>, see
# templates/django/forms/widgets/select.html), then Django's.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person becomes the actor of the audit trail's entries (cls_platform/audit.py).
    "cls_platform.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cls_platform.urls"
WSGI_APPLICATION = "cls_platform.wsgi.application"
ASGI_APPLICATION = "cls_platform.asgi.application"

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
                "cls_platform.context_processors.platform",
                "cls_platform.statement.accessibility",
            ],
        },
    },
    # Subjects and text parts of e-mails (`render_to_string(..., using="text")`): plain text,
    # never HTML-escaped ("l'OPH", not "l&#x27;OPH").
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'trame.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has two writers (the web server and `run_periodic`): a write waits for the
    # other's lock for up to 20 s instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cls_platform.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["cls_platform.auth.DemoAwareBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The shared password of the demo accounts; refused whenever DEBUG is off.
DEMO_PASSWORD = "demo-cls-2026"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# The parts of long PDFs (each fiche-action of a printed contract), kept on disk under the digest
# of what they were made from (cls_platform/pdf/parts.py): shared by the processes of one host.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pdf": {
        "BACKEND": "cls_platform.pdf.cache.PartsCache",
        "LOCATION": os.environ.get("PDF_CACHE_DIR", str(VAR_DIR / "cache" / "pdf")),
        "TIMEOUT": 90 * 24 * 60 * 60,
        # About 25 KiB a part: 100,000 parts (some 1,600 contracts of 60 fiches) is 2.5 GiB.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# Processes that render the parts missing from that cache, on a first print (WeasyPrint is
# single-threaded): one per processor by default.
PDF_PROCESSES = int(os.environ.get("PDF_PROCESSES") or os.cpu_count() or 1)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: a real SMTP server when EMAIL_HOST is set, files under var/outbox/ otherwise.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trame CLS <ne-pas-repondre@trame.local>")
# The accessibility statement (/accessibilite/): who answers about accessibility. Production sets
# its own address: the default sender is a "ne-pas-repondre" one.
ACCESSIBILITY_CONTACT_EMAIL = (
    os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "") or DEFAULT_FROM_EMAIL
)
ACCESSIBILITY_ENTITY_NAME = os.environ.get("ACCESSIBILITY_ENTITY_NAME", "")
ACCESSIBILITY_SCHEME_URL = os.environ.get("ACCESSIBILITY_SCHEME_URL", "")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The Date header in the local time of TIME_ZONE (Paris), as the people who read it live.
EMAIL_USE_LOCALTIME = True
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
else:
    # One .eml per message, the bytes SMTP would carry: a mail client opens each of them.
    EMAIL_BACKEND = "cls_platform.mail.backends.EmlFileBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"

# Celery: tasks run inline when no broker is configured (make run, most tests).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# The queue tasks go to and workers read by default: two instances may share one Redis (tests
# give each worker a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "").strip() or "celery"
# A task is acknowledged only once done, and given back if its worker dies: with the outbox's
# claim (queued -> sending -> sent) a message is neither lost nor sent twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# Must stay above the task time limit, or Redis hands a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for Redis as long as it takes (a restart, a failover), never gives up.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A message being sent when Redis goes away finishes, and its outcome is recorded in the
# database: cancelling it (Celery 6's default) would send it again.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_SEND_TASK_EVENTS = False

# The outbox (cls_platform/mail/outbox.py). A worker's claim on a row is a lease of
# OUTBOX_LEASE_SECONDS, renewed while it sends; the sweep runs every OUTBOX_SWEEP_SECONDS. A row
# caught by a dead worker, a Redis restart or a database restart goes again at most a lease plus
# a sweep after the service is back.
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "20"))
OUTBOX_SWEEP_SECONDS = int(os.environ.get("OUTBOX_SWEEP_SECONDS", "10"))
# First wait after a temporary SMTP refusal (4xx, connection trouble), doubled at each attempt up
# to OUTBOX_RETRY_MAX_SECONDS: 30 s, 1 min, 2 min... an hour. Tests lower both to go through
# retries in seconds.
OUTBOX_RETRY_BASE_SECONDS = int(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "30"))
OUTBOX_RETRY_MAX_SECONDS = int(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
# After this many temporary refusals (about an hour with the waits above) a row is shown failed;
# the sweep still resumes it by itself as soon as the SMTP server takes mail again (with the same
# doubling waits if the server takes mail but keeps refusing this message), for
# OUTBOX_RESUME_DAYS days after it was queued.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RESUME_DAYS = int(os.environ.get("OUTBOX_RESUME_DAYS", "5"))
CELERY_BEAT_SCHEDULE = {
    "purge-audit-trail": {"task": "cls_platform.audit.purge_audit_trail", "schedule": 24 * 60 * 60},
    # Sweeps queued for a minute (no worker was running) are dropped, not run one after another.
    "sweep-outbox": {
        "task": "cls_platform.tasks.sweep_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": max(60, 2 * OUTBOX_SWEEP_SECONDS)},
    },
    "meeting-reminders": {"task": "workgroups.tasks.send_due_reminders", "schedule": 60 * 60},
    "clear-expired-sessions": {
        "task": "cls_platform.tasks.clear_expired_sessions",
        "schedule": 24 * 60 * 60,
    },
    "purge-pending-partner-imports": {
        "task": "partners.tasks.purge_pending_imports",
        "schedule": 24 * 60 * 60,
    },
}

# Security: sensible everywhere, strict when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A load balancer's health check speaks plain HTTP to the application.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs six "Step n" lines per document at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # pikepdf (joining the parts of a printed contract) greets at INFO once per process.
        "pikepdf": {"level": "WARNING"},
        # Inline tasks (no broker) would print a line per e-mail in the web server's console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# Contacts without any interaction for this long are listed for review (GDPR minimisation).
CONTACT_REVIEW_MONTHS = int(os.environ.get("CONTACT_REVIEW_MONTHS", "36"))

# The audit trail (cls_platform/audit.py, django-auditlog): changes to contracts, fiches-actions,
# indicators, groups, meetings, contacts and structures, sign-ins, exports, erasures and sends,
# kept AUDIT_RETENTION_MONTHS months (the CNIL's recommendation for logs), purged every day.
AUDIT_RETENTION_MONTHS = int(os.environ.get("AUDIT_RETENTION_MONTHS", "12"))
AUDITLOG_LOGENTRY_MODEL = "cls_platform.AuditEntry"
# Fixtures loaded as they are (loaddata) are no one's change.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

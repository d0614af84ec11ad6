"""Trame settings: one module, driven by the environment (see README, "Configuration")."""

from __future__ import annotations

import datetime as dt
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
# Former keys, comma-separated, while rotating DJANGO_SECRET_KEY: what was signed or hashed with
# them (sessions, reset links, recovery codes) still holds.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]

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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "cls_platform.security",
    "demo",
]

# Widget templates come from the project's templates first (a faster <select>, see
# templates/django/forms/widgets/select.html), then Django's.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Headers (issue 12): CSP, no-store unless published, 413 before an oversized body is read.
    "cls_platform.headers.CSPMiddleware",
    "cls_platform.headers.CacheControlMiddleware",
    "cls_platform.headers.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cls_platform.security.middleware.SecondFactorMiddleware",
    "cls_platform.security.middleware.IdleSessionMiddleware",
    # The signed-in person becomes the actor of the audit trail's entries (cls_platform/audit.py).
    "cls_platform.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for lockout into the French page.
    "axes.middleware.AxesMiddleware",
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
                "cls_platform.context_processors.several_territories",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's cost of reading a page out of order, as PostgreSQL's documentation advises
    # for solid-state storage (1.1; its default, 4, models spinning disks). With 4, it hashed a
    # whole table of contacts (5,000 at ten territories) to look up the two hundred who came to
    # a group's meetings, where their index answers in a third of the time.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
    # The statements written out in SQL (cls_platform.rows.results) that a connection sends a
    # third time are prepared: PostgreSQL then plans them once, not at every page (it took
    # longer to plan a group's page than to run it). The ORM's queries are never prepared
    # (Django binds their parameters on the client side). No pooler stands between the workers
    # and PostgreSQL (docker-compose.yml): one that shares a connection between clients by
    # transaction would need DATABASE_PREPARE_THRESHOLD= (empty: never prepare).
    _threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "2")
    DATABASES["default"]["OPTIONS"].setdefault(
        "prepare_threshold", int(_threshold) if _threshold else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has two writers (the web server and `run_periodic`): a write waits for the
    # other's lock for up to 20 s instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cls_platform.User"
# --- Sign-in (issue 12) ---
# See README, "Connexion et sécurité des comptes". Passwords per the CNIL (délibération
# 2022-100): Argon2 first (older hashes are upgraded at the next sign-in), at least
# TRAME_PASSWORD_MIN_LENGTH characters of three kinds out of four, no periodic renewal.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("TRAME_PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "cls_platform.security.passwords.CharacterKindsValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend first: it refuses a locked-out account or address before any password is
# checked (django-axes; sign-ins without a request, such as the test client's, are not counted).
AUTHENTICATION_BACKENDS = [
    "cls_platform.security.lockout.LockoutBackend",
    "cls_platform.auth.DemoAwareBackend",
]
# Lockout (django-axes): TRAME_LOCKOUT_FAILURES failed sign-ins in a row for one account, or from
# one address, lock both out for TRAME_LOCKOUT_MINUTES; each new try during the lockout starts
# the wait again. An administrator lifts it (admin "Tentatives de connexion", or
# `manage.py axes_reset_username ADRESSE`).
AXES_FAILURE_LIMIT = int(os.environ.get("TRAME_LOCKOUT_FAILURES", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("TRAME_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "cls_platform.security.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "cls_platform.security.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are in the audit trail already (cls_platform/audit.py).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies that add X-Forwarded-For (0: none).
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRAME_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Second factor (django-otp, TOTP plus ten single-use recovery codes): required of coordinators
# and administrators when TRAME_OTP_REQUIRED is on (the default when DEBUG is off; off in
# development so that the demo accounts sign in with their password alone), offered to everyone.
TRAME_OTP_REQUIRED = env_bool("TRAME_OTP_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("TRAME_OTP_ISSUER", "Trame CLS")
# The admin shows neither the applications' keys nor the recovery codes' digests.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions end after TRAME_SESSION_IDLE_MINUTES without a request (60 by default: OWASP advises
# 15 to 30 minutes for sensitive data, a fiche-action or a compte-rendu can take longer to
# write); "Se déconnecter de tous les appareils" ends the others.
TRAME_SESSION_IDLE_MINUTES = int(os.environ.get("TRAME_SESSION_IDLE_MINUTES", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Optional sign-in with ProConnect (OpenID Connect): on only when PROCONNECT_CLIENT_ID is set;
# maps to existing accounts by e-mail, never creates one.
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "").strip()
if PROCONNECT_CLIENT_ID:
    PROCONNECT_DOMAIN = os.environ.get(
        "PROCONNECT_DOMAIN", "https://auth.agentconnect.gouv.fr/api/v2"
    ).rstrip("/")
    OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
    OIDC_RP_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("PROCONNECT_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email given_name usual_name"
    OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROCONNECT_DOMAIN}/authorize"
    OIDC_OP_TOKEN_ENDPOINT = f"{PROCONNECT_DOMAIN}/token"
    OIDC_OP_USER_ENDPOINT = f"{PROCONNECT_DOMAIN}/userinfo"
    OIDC_OP_JWKS_ENDPOINT = f"{PROCONNECT_DOMAIN}/jwks"
    OIDC_OP_LOGOUT_ENDPOINT = f"{PROCONNECT_DOMAIN}/session/end"
    OIDC_CREATE_USER = False
    OIDC_AUTHENTICATION_CALLBACK_URL = "security:proconnect_callback"
    # No acr required by default: Trame asks its own second factor (README, "ProConnect").
    PROCONNECT_ACR_VALUES = os.environ.get("PROCONNECT_ACR_VALUES", "").split()
    AUTHENTICATION_BACKENDS.append("cls_platform.security.oidc.ProConnectBackend")
# --- end of sign-in ---
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
    # The indicators' standings of each contract for the day (actions.progress.kept_standings),
    # under its `indicators_version`, and its groups' states (evaluation.portfolio.selectors.
    # kept_groups), under its `groups_version`: a change makes a new key, so that each process
    # may keep its own. A few counts each; a day at most.
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
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

# Contract PDFs kept warm (actions/tasks.py): once a change to a contract or one of its fiches is
# committed, a worker renders the parts its print needs, so the print finds them in the "pdf"
# cache. On where a broker is set; off without one (eager Celery would render in the request,
# slowing runserver and the tests; tests of the warming turn it on). PDF_WARM=0/1 overrides.
PDF_WARM = os.environ.get("PDF_WARM", "1" if CELERY_BROKER_URL else "0").strip() == "1"
# Seconds a queued warming waits before it starts (edits in a row share one task).
PDF_WARM_DELAY = float(os.environ.get("PDF_WARM_DELAY", "3"))
# How often beat sends the sweep that warms again the contracts not warmed for today's print
# layout (a cache emptied, a deploy that changed it), a few at a time (actions/services/pdf_warm.py).
PDF_REWARM_SECONDS = int(os.environ.get("PDF_REWARM_SECONDS", "300"))

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
    # Outbox rows older than DELIVERY_RETENTION_MONTHS (cls_platform/retention.py).
    "purge-old-deliveries": {
        "task": "cls_platform.tasks.purge_old_deliveries",
        "schedule": 24 * 60 * 60,
    },
    "rewarm-contract-pdfs": {
        "task": "actions.tasks.rewarm_contract_pdfs",
        "schedule": PDF_REWARM_SECONDS,
        "options": {"expires": PDF_REWARM_SECONDS},
    },
}

# Security: sensible everywhere, strict when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = TRAME_SESSION_IDLE_MINUTES * 60  # renewed by IdleSessionMiddleware
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
# Links (issue 12): the link that opens a partner's details, sent only to the address on file.
SELF_SERVICE_LINK_MINUTES = int(os.environ.get("SELF_SERVICE_LINK_MINUTES", "30"))
# A form opened while that link was valid may still be sent this long after (nothing typed is lost).
SELF_SERVICE_SUBMIT_GRACE_MINUTES = int(os.environ.get("SELF_SERVICE_SUBMIT_GRACE_MINUTES", "120"))

# The audit trail (cls_platform/audit.py, django-auditlog): changes to contracts, fiches-actions,
# indicators, groups, meetings, contacts and structures, sign-ins, exports, erasures and sends,
# kept AUDIT_RETENTION_MONTHS months (the CNIL's recommendation for logs), purged every day.
AUDIT_RETENTION_MONTHS = int(os.environ.get("AUDIT_RETENTION_MONTHS", "12"))
# Retention of personal data (the register of processing shows them, cls_platform/retention.py).
# Spreadsheets uploaded to the directory and never confirmed: erased after this many days.
PENDING_IMPORT_DAYS = int(os.environ.get("PENDING_IMPORT_DAYS", "7"))
# Outbox rows (address, state and error of each e-mail): kept this long after sending, purged
# every day (rows still to go are kept).
DELIVERY_RETENTION_MONTHS = int(os.environ.get("DELIVERY_RETENTION_MONTHS", "12"))
# Invitations, answers, attendance, survey answers, interview notes: kept until this many years
# after the end of their contract (the next diagnosis and the final evaluation read them).
PARTICIPATION_RETENTION_YEARS = int(os.environ.get("PARTICIPATION_RETENTION_YEARS", "5"))
AUDITLOG_LOGENTRY_MODEL = "cls_platform.AuditEntry"
# Fixtures loaded as they are (loaddata) are no one's change.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- Headers (issue 12) ---
# See README, "En-têtes de sécurité" and cls_platform/headers.py.
# Content-Security-Policy (django-csp): nothing from elsewhere, no inline script and no event
# handler attribute (every script is a file of static/js/), no style="" attribute (but on the
# rich-text editor's page: cls_platform.headers.CSPMiddleware); the one inline <style> is pygal's
# inside a survey chart, let through by the page's nonce. img-src allows data:
# URIs (the favicon, CSS images); inline <svg> needs nothing. Violations are posted to
# /csp-report/ and logged on "trame.csp".
from csp.constants import NONCE  # noqa: E402

_FORM_ACTION = ["'self'"]
if PROCONNECT_CLIENT_ID:
    # Signing in (and out) with ProConnect goes through the provider's pages: a redirection
    # after a form's submission is checked against form-action.
    from urllib.parse import urlsplit as _urlsplit

    _provider = _urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT)
    _FORM_ACTION.append(f"{_provider.scheme}://{_provider.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": _FORM_ACTION,
        "report-uri": "/csp-report/",
    },
}
# Permissions-Policy (django-permissions-policy): no page of Trame uses any of these.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Cache-Control (cls_platform/headers.py): every response is `no-store` but those of the
# published spaces below, served by a public view.
PUBLISHED_PATH_PREFIXES = ("/offre-de-sante/", "/donnees-ouvertes/", "/accessibilite/")
# Forms (no file) up to 2.5 MB, Django's default, kept in memory; files above 2.5 MB go to a
# temporary file. An upload page accepts its own limit (headers.UploadLimitMiddleware), any other
# body above DATA_UPLOAD_MAX_MEMORY_SIZE is refused 413 before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
LOGGING["loggers"]["trame.csp"] = {"level": "WARNING"}
# --- end of headers ---

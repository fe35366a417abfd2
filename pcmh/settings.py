"""Settings for PCMH Returns: one file, every deploy-specific value from the environment."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("TESTING", False)
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: export SECRET_KEY with a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

# The service's address as people open it, for the links in its e-mails ("https://pcmh.nhs.uk").
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SITE_URL must be set when DEBUG is off: export SITE_URL with the address people open "
            "the service at (for example https://pcmh.example.nhs.uk); its e-mails link to it."
        )
    SITE_URL = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "import_export",
    "django_object_actions",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pcmh",
    "boroughs",
    "toolkit",
    "surveys",
    "reports",
]

MIDDLEWARE = [
    # First: /healthz answers the load balancer before the host is validated or HTTPS required.
    "pcmh.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pcmh.middleware.DatabaseUnavailableMiddleware",
    # A published report shows the names it was published with, until its response has gone.
    "pcmh.published_names.PublishedNamesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pcmh.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pcmh.middleware.RefuseBadQueryMiddleware",
    "pcmh.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pcmh.urls"
WSGI_APPLICATION = "pcmh.wsgi.application"

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
                "pcmh.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Optional: a read replica of the database, for the published reports (pcmh/db_router.py);
# the tests use one database.
if os.environ.get("DATABASE_REPLICA_URL") and not TESTING:
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
DATABASE_ROUTERS = ["pcmh.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
if _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            # Several deployments (or test runs) may share one Redis: each its own keys.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
            # A cache that stops answering fails a request (and /healthz) in seconds, not never.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a published report's page or download is kept in the cache (reports/cache.py).
REPORT_CACHE_SECONDS = int(os.environ.get("REPORT_CACHE_SECONDS", str(24 * 60 * 60)))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "pcmh.auth.ModelBackend",  # Django's, loading what every page asks of the user with them
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests only: PBKDF2 costs a quarter of a second for each user a test creates or signs in.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Message levels as the pages style them: the admin's class (error, success...), then the
# site's alert class.
MESSAGE_TAGS = {
    message_constants.DEBUG: "debug alert-info",
    message_constants.INFO: "info alert-info",
    message_constants.SUCCESS: "success alert-success",
    message_constants.WARNING: "warning alert-warning",
    message_constants.ERROR: "error alert-danger",
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: lock out a username + IP pair after 5 failures, for a cool-off period.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "pcmh.security_log.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# How many trusted proxies stand in front of the app servers (0: none; the README's deployment
# has one load balancer): the client's address is read from X-Forwarded-For accordingly.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "pcmh.client_ip.client_ip"
AXES_VERBOSE = False
# Password reset e-mails: at most so many per address asked for, and per client, in a window.
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3"))
PASSWORD_RESET_LIMIT_PER_CLIENT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_CLIENT", "10"))
PASSWORD_RESET_WINDOW_SECONDS = int(os.environ.get("PASSWORD_RESET_WINDOW_SECONDS", "3600"))

# Two-factor sign-in for staff (django-otp TOTP); on by default in production only.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", not DEBUG and not TESTING)
OTP_TOTP_ISSUER = "PCMH Returns"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# GOV.UK Frontend's files, copied from node_modules by scripts/build-govuk, under STATIC_URL/govuk/.
STATICFILES_DIRS = [BASE_DIR / "static", ("govuk", BASE_DIR / "build" / "govuk")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.8.0"  # package.json's govuk-frontend
# The GOV.UK class of the service's own widgets (surveys/forms.py), by their class name.
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input",
    "moneyinput": "govuk-input",
    "yesnonotknown": "govuk-select",
}

# Content Security Policy (django-csp 4): nothing inline runs, nothing comes from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Security headers and cookies.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", not DEBUG) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "pcmh.views.csrf_failure"
if not DEBUG:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(60 * 60 * 2)))
# The age above is an idle timeout: pcmh.middleware.IdleTimeoutMiddleware starts it again at
# most once a minute, rather than saving the session on every request.
SESSION_SAVE_EVERY_REQUEST = False
# The timeout warning appears this long before the session ends (GOV.UK pattern: 2 minutes).
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", "120"))

# Import and export.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False  # our resources escape every risky cell
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The uploaded file between the preview and the confirmation: in the shared cache when there is
# one (any app server can confirm; entries expire), else in a folder of the system's temporary
# folder (one server; see surveys/import_files.py). Neither is ever served; both are removed once
# the import is confirmed, and abandoned previews after a day.
IMPORT_EXPORT_TMP_STORAGE_CLASS = (
    "import_export.tmp_storages.CacheStorage"
    if _cache_url
    else "surveys.import_files.ImportFileStorage"
)
# Rows of one imported file at most (previewing and confirming hold a worker and row locks).
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "1000"))
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024

# E-mail goes through Django's e-mail backends: the console in development, SMTP (EMAIL_HOST...),
# or GOV.UK Notify (django-gov-notify) once its API key and plain e-mail template are both given.
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "").strip()
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = os.environ.get(
    "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", ""
).strip()
_notify_missing = [
    name
    for name, value in [
        ("GOVUK_NOTIFY_API_KEY", GOVUK_NOTIFY_API_KEY),
        ("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID),
    ]
    if not value
]
if len(_notify_missing) == 1:
    raise ImproperlyConfigured(
        f"{_notify_missing[0]} must be set too: GOV.UK Notify sends the service's e-mails only "
        "with both its API key (GOVUK_NOTIFY_API_KEY) and the id of its plain e-mail template "
        "(GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID); set neither to use EMAIL_BACKEND instead."
    )
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if _notify_missing
    else "django_gov_notify.backends.NotifyEmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PCMH Returns <no-reply@pcmh.invalid>")
STEERING_GROUP_EMAIL = os.environ.get("STEERING_GROUP_EMAIL", "steering-group@pcmh.invalid")

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "pcmh-demo-2017")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "pcmh.security": {"level": "INFO"},
        "django": {"level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    },
}

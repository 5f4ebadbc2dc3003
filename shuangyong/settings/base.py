"""Settings for every environment, read from the environment.

With nothing set this is the *embedded default*: SQLite in the project folder, a generated
development secret, reminders through a broker that needs no server. It already looks like the
product: DEBUG is off unless a developer sets ``DEBUG=1`` (Chinese 404/403/500 pages, never the
debug page) and static files are compressed and cached for a year (``collectstatic`` in run.sh). Set
``SHUANGYONG_ENV=production`` for the hardened settings (``manage.py check --deploy`` is clean).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shuangyong.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("SHUANGYONG_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

SHUANGYONG_ENV = env_str("SHUANGYONG_ENV", "development")
if SHUANGYONG_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"SHUANGYONG_ENV={SHUANGYONG_ENV!r}: use development, production or test")
PRODUCTION = SHUANGYONG_ENV == "production"


def _development_secret() -> str:
    """A random secret kept in var/ so that sessions survive a restart of the dev server."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = _development_secret()

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's own widget templates, for the TemplatesSetting form renderer
    "axes",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "shuangyong.apps.ShuangyongConfig",
    "tasks.apps.TasksConfig",
    "visits.apps.VisitsConfig",
    "reports.apps.ReportsConfig",
    "evaluation.apps.EvaluationConfig",
    "scale.apps.ScaleConfig",
]

MIDDLEWARE = [
    # First: everything after it (login limits, logs) sees the client's address, not nginx's.
    "shuangyong.login_limits.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (nothing inline) and Permissions-Policy on every response.
    "shuangyong.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a login unless it is explicitly marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Leaders read and download; any write they attempt is refused here, once for all views.
    "shuangyong.access.ReadOnlyRoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A button's address opened after a login (?next=) gets a Chinese page, not an empty 405.
    "shuangyong.middleware.MethodNotAllowedPage",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it needs the authenticated user and answers locked-out logins itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shuangyong.urls"
WSGI_APPLICATION = "shuangyong.wsgi.application"

# Widgets render through TEMPLATES, so a widget template can live in templates/ like any other.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
                "shuangyong.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share one file: wait instead of failing on a lock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "shuangyong.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shuangyong.validators.ChineseMinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout (django-axes, shuangyong/login_limits.py), for 30 minutes:
# - a user name from one address after 5 wrong passwords: nobody locks a colleague's account from
#   elsewhere, and one mistyping colleague does not lock the office's shared NAT address;
# - an address after 20 wrong passwords over any user names (password guessing across accounts).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "shuangyong.login_limits.LoginLockoutHandler"
# The proxies whose X-Forwarded-For is believed (nginx on this machine by default; add the load
# balancers' addresses or networks): shuangyong.login_limits.TrustedProxyMiddleware.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# A deliberate one-machine install may add shuangyong.W001,shuangyong.W002 (shuangyong/checks.py).
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 1000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Bootstrap comes from the xstatic-bootstrap package on PyPI, never from a CDN: only its files
    # the pages load (shuangyong/staticfinders.py).
    "shuangyong.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    },
    # Hashed names, gzip and brotli copies, served by WhiteNoise with a one-year immutable cache:
    # a phone downloads Bootstrap once. Needs ``collectstatic`` (run.sh runs it); a developer with
    # DEBUG=1 gets the plain storage and files straight from the folders.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Unhashed files (favicon.ico at the site root) are cached for a day.
WHITENOISE_MAX_AGE = env_int("WHITENOISE_MAX_AGE", 24 * 3600)
WHITENOISE_ROOT = BASE_DIR / "shuangyong" / "public"
# Uploaded evidence is private: it lives outside STATIC/MEDIA URLs and is served only by views
# that check the user's scope.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")) or VAR_DIR / "uploads")
MEDIA_URL = "/uploads/"  # never routed: files go through scoped download views
# Largest evidence file (photo, PDF, Word, Excel) a unit may attach, checked by shuangyong/uploads.py.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "") or ""
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds before a silent SMTP server is given up on: a hung server must not hold the scan (and
# the group chats after it) past the next scan, whose retry could send the same batch again.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "双拥通 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
# Key of the encrypted group-chat webhook settings (a Fernet key); empty: derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "") or ""
# Group-chat robots on this machine (127.0.0.1, localhost) are refused (shuangyong/chat.py);
# only the tests, with their fake robot on 127.0.0.1, allow them.
CHAT_WEBHOOK_ALLOW_LOOPBACK = False
# Where notifications go besides the portal's notification centre (shuangyong/channels.py).
SHUANGYONG_NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", ["shuangyong.channels.EmailChannel"])

# Celery: Redis when REDIS_URL is set; otherwise a broker on the local disk that needs no server.
REDIS_URL = env_str("REDIS_URL", "") or ""
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery-broker"),
        "data_folder_out": str(VAR_DIR / "celery-broker"),
        "processed_folder": str(VAR_DIR / "celery-broker-processed"),
        # Without this kombu keeps its exchange table in ./control of whatever the working folder is.
        "control_folder": str(VAR_DIR / "celery-broker-control"),
        "store_processed": False,
    }
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)


# A Redis outage costs speed, never a page: every cache call degrades to computing (shuangyong/cache.py).
def cache_settings(redis_url: str) -> dict[str, dict[str, object]]:
    """The shared Redis cache behind the outage-tolerant wrapper, or one cache in each process."""
    if redis_url:
        return {"default": {"BACKEND": "shuangyong.cache.ResilientRedisCache", "LOCATION": redis_url}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


CACHES = cache_settings(REDIS_URL)

# The leaders' dashboard is computed at most once per scope and role in this many seconds.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 60)
# A downloaded workbook is kept under a digest of all its data (reports.services.write_workbook):
# only a download of exactly the same data reuses it, so this bounds memory, not staleness.
REPORTS_WORKBOOK_CACHE_SECONDS = env_int("REPORTS_WORKBOOK_CACHE_SECONDS", 600)

# manage.py backup dumps times to the microsecond (Django's "json" cuts them to milliseconds).
SERIALIZATION_MODULES = {"json-exact": "shuangyong.exact_json"}

# Its "escape" deletes a leading "=" (data changed): exports are written by
# shuangyong.spreadsheets instead, which keeps the text as quote-prefixed text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin's import keeps the uploaded file between "preview" and "confirm": in the shared cache
# when Redis is there (the two requests may reach different web machines), else in a temp folder.
if REDIS_URL:
    IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Production hardening: one switch, SHUANGYONG_ENV=production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = PRODUCTION
# The load balancer polls /healthz over plain HTTP on the private network: answer, don't redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

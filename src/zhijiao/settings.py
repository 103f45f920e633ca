"""Django settings for Zhijiao.

Every setting that differs between machines comes from an environment variable (all of them are listed
in docs/deploy.md). With none set, the platform runs on the embedded default: SQLite under ``var/``,
in-process cache and tasks, and keys generated once into ``var/keys/``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from zhijiao.core.keys import load_or_create_secret

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ZJ_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("ZJ_DEBUG")
SECRET_KEY = load_or_create_secret("ZJ_SECRET_KEY", VAR_DIR / "keys" / "secret_key", nbytes=48)
ALLOWED_HOSTS = env_list("ZJ_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("ZJ_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "ninja",
    "zhijiao.core",
    "zhijiao.identity",
    "zhijiao.portal",
    "zhijiao.resources",
    "zhijiao.records",
    "zhijiao.cockpit",
    "zhijiao.employment",
    "zhijiao.employment.matching",
    "zhijiao.employment.hiring",
    "zhijiao.monitoring",
    "zhijiao.monitoring.detection",
    "zhijiao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhijiao.records.visitor.VisitorMiddleware",
    "zhijiao.core.middleware.RejectNulMiddleware",
    "zhijiao.identity.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zhijiao.urls"
WSGI_APPLICATION = "zhijiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhijiao.portal.context.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhijiao.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("ZJ_DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------------
REDIS_URL = os.environ.get("ZJ_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # One machine, several worker processes: a file cache is shared by all of them, so a session ended in
    # one worker is gone in every other (a per-process memory cache would keep serving it).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 20_000}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ZJ_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Absolute lifetime of a session; the idle timeout below ends it sooner when the user goes quiet.
SESSION_COOKIE_AGE = int(os.environ.get("ZJ_SESSION_MAX_AGE", str(12 * 3600)))
ZJ_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("ZJ_IDLE_TIMEOUT_MINUTES", "30")))

# --- Identity -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["zhijiao.identity.backends.UsernamePhoneEmailBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "portal:space"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "zhijiao.identity.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600
ZJ_LOCKOUT_FAILURES = int(os.environ.get("ZJ_LOCKOUT_FAILURES", "5"))
ZJ_LOCKOUT_WINDOW = timedelta(minutes=int(os.environ.get("ZJ_LOCKOUT_WINDOW_MINUTES", "15")))
ZJ_LOCKOUT_DURATION = timedelta(minutes=int(os.environ.get("ZJ_LOCKOUT_MINUTES", "15")))
# Per client address, per 15 minutes: password attempts (whatever the account), registrations, and
# password-reset requests (these also count per email address).
ZJ_RATE_LOGIN = int(os.environ.get("ZJ_RATE_LOGIN", "30"))
ZJ_RATE_REGISTER = int(os.environ.get("ZJ_RATE_REGISTER", "10"))
ZJ_RATE_PASSWORD_RESET = int(os.environ.get("ZJ_RATE_PASSWORD_RESET", "5"))

# Personal data key: 32 bytes, base64. AES-256-GCM for ID numbers and phone numbers at rest.
ZJ_DATA_KEY = load_or_create_secret("ZJ_DATA_KEY", VAR_DIR / "keys" / "data_key", nbytes=32, b64=True)
# Audit chain key: entries are chained with HMAC-SHA256 so a database writer without it cannot re-forge.
ZJ_AUDIT_KEY = load_or_create_secret("ZJ_AUDIT_KEY", VAR_DIR / "keys" / "audit_key", nbytes=32, b64=True)
# Never below 180 days: audit.prune() clamps it and `zj audit prune` refuses a lower value.
ZJ_AUDIT_RETENTION_DAYS = int(os.environ.get("ZJ_AUDIT_RETENTION_DAYS", "180"))

# --- OpenID Connect provider ----------------------------------------------------------------------
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": load_or_create_secret("ZJ_OIDC_RSA_PRIVATE_KEY", VAR_DIR / "keys" / "oidc_rsa.pem", rsa=True),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only; "plain" PKCE protects nothing
    "OAUTH2_VALIDATOR_CLASS": "zhijiao.identity.oidc.ZhijiaoOAuth2Validator",
    "SCOPES": {
        "openid": _("Sign you in with your Zhijiao account"),
        "profile": _("Your name and preferred language"),
        "email": _("Your email address"),
        "orgs": _("Your organisations and roles"),
        "api": _("Use the Zhijiao API in your name, with your roles"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("ZJ_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start when it is missing
MEDIA_ROOT = Path(os.environ.get("ZJ_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ZJ_ROSTER_MAX_BYTES = int(os.environ.get("ZJ_ROSTER_MAX_BYTES", str(50 * 1024 * 1024)))
# Uploaded resource files live in the default storage: the media folder, or any django-storages backend
# (e.g. "storages.backends.s3.S3Storage" for an S3-compatible store, configured by its own AWS_* settings).
if os.environ.get("ZJ_FILE_STORAGE"):
    STORAGES["default"] = {"BACKEND": os.environ["ZJ_FILE_STORAGE"]}
_MB = 1024 * 1024
# Largest upload per kind of file, checked while the upload streams in (core/storage.py).
ZJ_UPLOAD_MAX_BYTES = {
    "video": int(os.environ.get("ZJ_UPLOAD_MAX_VIDEO_MB", "2048")) * _MB,
    "document": int(os.environ.get("ZJ_UPLOAD_MAX_DOCUMENT_MB", "200")) * _MB,
    "package": int(os.environ.get("ZJ_UPLOAD_MAX_PACKAGE_MB", "500")) * _MB,
    "image": int(os.environ.get("ZJ_UPLOAD_MAX_IMAGE_MB", "10")) * _MB,
    "subtitles": int(os.environ.get("ZJ_UPLOAD_MAX_SUBTITLES_MB", "5")) * _MB,
}

# --- Resource centre (docs/resources.md) -----------------------------------------------------------
# Levels of human review before publication (1 = 初审 only, 2 = 初审 → 终审, …), and per library.
ZJ_REVIEW_LEVELS = int(os.environ.get("ZJ_REVIEW_LEVELS", "2"))
ZJ_REVIEW_LEVELS_BY_LIBRARY = {
    library: int(levels) for library, _, levels in
    (item.partition(":") for item in env_list("ZJ_REVIEW_LEVELS_BY_LIBRARY"))
}
# The resource-use agreement providers accept (Art.7); a new version asks everyone to accept again.
ZJ_RESOURCE_AGREEMENT_VERSION = os.environ.get("ZJ_RESOURCE_AGREEMENT_VERSION", "2024-1")
# Spot checks (Art.14): share of published resources queued each week, at least one, at most the cap.
ZJ_SPOT_CHECK_SHARE = float(os.environ.get("ZJ_SPOT_CHECK_SHARE", "0.01"))
ZJ_SPOT_CHECK_MAX = int(os.environ.get("ZJ_SPOT_CHECK_MAX", "200"))
# Dynamic evaluation (Art.16): resources rated below this (with enough ratings), or with more complaints
# per view than this (with enough views), are queued for takedown review.
ZJ_EVAL_MIN_RATING = float(os.environ.get("ZJ_EVAL_MIN_RATING", "2.5"))
ZJ_EVAL_MIN_RATINGS = int(os.environ.get("ZJ_EVAL_MIN_RATINGS", "10"))
ZJ_EVAL_MAX_COMPLAINT_RATE = float(os.environ.get("ZJ_EVAL_MAX_COMPLAINT_RATE", "0.01"))
ZJ_EVAL_MIN_VIEWS = int(os.environ.get("ZJ_EVAL_MIN_VIEWS", "100"))
# Search (docs/search.md): how many of the newest matching documents are ranked per query.
ZJ_SEARCH_CANDIDATES = int(os.environ.get("ZJ_SEARCH_CANDIDATES", "500"))
# Processes that analyse text (segmentation, pinyin) during a full re-index; 0 = one per CPU core.
ZJ_SEARCH_INDEX_WORKERS = int(os.environ.get("ZJ_SEARCH_INDEX_WORKERS", "1"))

# --- Mail: every message lands in the outbox table; SMTP forwarding when a host is configured -----
EMAIL_BACKEND = "zhijiao.core.mail.OutboxBackend"
ZJ_SMTP_HOST = os.environ.get("ZJ_SMTP_HOST", "")
EMAIL_HOST = ZJ_SMTP_HOST
EMAIL_PORT = int(os.environ.get("ZJ_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("ZJ_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ZJ_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ZJ_SMTP_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("ZJ_MAIL_FROM", "noreply@zhijiao.local")

# --- Background jobs ------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("ZJ_CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("ZJ_CELERY_RESULT_BACKEND") or None
CELERY_BEAT_SCHEDULE = {
    "verify-audit-chain": {"task": "zhijiao.core.verify_audit_chain", "schedule": 24 * 3600},
    # Catches up whatever ingest-triggered passes missed (and fills late commits); a pass with nothing new
    # is one query.
    "cockpit-roll-up": {"task": "zhijiao.cockpit.roll_up", "schedule": 10},
    "resource-spot-checks": {"task": "zhijiao.resources.spot_checks", "schedule": 7 * 24 * 3600},
    "resource-evaluation": {"task": "zhijiao.resources.evaluate", "schedule": 24 * 3600},
    # Every detector over yesterday and today, cross-account ones included (monitoring.detection).
    "monitoring-score-recent": {"task": "zhijiao.monitoring.detection.score_recent", "schedule": 3600},
}

# --- Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("ZJ_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("ZJ_HSTS_SECONDS", "0"))
# How many trusted proxies (load balancers) stand in front: the client address is read from
# X-Forwarded-For accordingly (core/http.py). 0 = clients connect directly.
ZJ_PROXY_HOPS = int(os.environ.get("ZJ_PROXY_HOPS", "0"))
# The platform's public address. Learning records name our users as xAPI accounts on this home page and
# our resources as activities under it, so it must stay the same for the life of the data.
ZJ_PUBLIC_URL = os.environ.get("ZJ_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Cockpit rollups: how long a sequence number the rollup processor found missing is watched for a late
# commit before it counts as rolled back (docs/cockpit.md).
ZJ_COCKPIT_GAP_GRACE_SECONDS = int(os.environ.get("ZJ_COCKPIT_GAP_GRACE_SECONDS", "600"))
# Run a rollup pass a second after learning records arrive (a thread per process without a broker, a
# debounced Celery task with one). Off means rollups advance only on the beat task or `zj rollups`.
ZJ_COCKPIT_LIVE_ROLLUPS = os.environ.get("ZJ_COCKPIT_LIVE_ROLLUPS", "1") == "1"
# Detection of abnormal learning right after statements arrive; unset, it follows ZJ_COCKPIT_LIVE_ROLLUPS.
ZJ_MONITORING_LIVE_DETECTION = (os.environ["ZJ_MONITORING_LIVE_DETECTION"] == "1"
                                if os.environ.get("ZJ_MONITORING_LIVE_DETECTION") else None)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("ZJ_BEHIND_TLS_PROXY") else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZJ_LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "zhijiao.core.errors.csrf_failure"

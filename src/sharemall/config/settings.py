"""ShareMall settings: one module, every deployment choice read from the environment."""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sharemall.config.env import env_bool, env_int, env_list, env_str
from sharemall.core.proxies import parse_trusted

PACKAGE_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = Path.cwd()

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off (sharemall demo sets one for you)."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The reverse proxies whose X-Forwarded-For we believe (IPs or CIDRs); empty trusts nobody, and
# REMOTE_ADDR is the client. Parsed once here: a malformed entry stops the process at start.
try:
    TRUSTED_PROXIES = parse_trusted(env_str("TRUSTED_PROXIES"))
except ValueError as problem:
    raise ImproperlyConfigured(str(problem)) from None

SANDBOX_PAYMENTS = env_bool("SANDBOX_PAYMENTS", default=False)
AUTH_THROTTLE = env_bool("AUTH_THROTTLE", default=True)
REDIS_URL = env_str("REDIS_URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "sharemall.core",
    "sharemall.platform",
    "sharemall.sms",
    "sharemall.verification",
    "sharemall.accounts",
    "sharemall.notifications",
    "sharemall.merchants",
    "sharemall.freight",
    "sharemall.addresses",
    "sharemall.settlement",
    "sharemall.catalog",
    "sharemall.payments",
    "sharemall.wallet",
    "sharemall.orders",
    "sharemall.checkout",
    "sharemall.aftersales",
    "sharemall.distribution",
    "sharemall.promotions",
    "sharemall.sharing",
    "sharemall.posts",
    "sharemall.analytics",
    "sharemall.showcase",
    "sharemall.legal",
    "sharemall.community",
    "sharemall.recommendations",
    "sharemall.wechat",
    "sharemall.wechat_sim",
    "sharemall.privacy",
    "sharemall.web",
    "sharemall.config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sharemall.config.middleware.ApiErrorShapeMiddleware",
    # Before anything reads the database: input no view can accept never gets that far.
    "sharemall.config.middleware.BadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Every browser's device id (a first-party cookie) for the fraud signals: core.devices.
    "sharemall.core.devices.DeviceMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: what it stores and replays is the view's own answer, shaped on the way out exactly
    # like a live one.
    "sharemall.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "sharemall.config.urls"
WSGI_APPLICATION = "sharemall.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sharemall.web.buyer.shell.shell",
            ],
        },
    },
]


def _database(
    variable: str = "DATABASE_URL", default: str = "sqlite:///sharemall.db"
) -> dict[str, object]:
    url = env_str(variable, default)
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"{variable} is not a valid database URL: {exc}") from exc
    engine = config.get("ENGINE")
    if engine == "django.db.backends.sqlite3":
        name = str(config["NAME"])
        if name and name != ":memory:" and not Path(name).is_absolute():
            config["NAME"] = str(WORK_DIR / name)
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers run beside the writer; FULL sync means a committed fen survives a
        # power cut; IMMEDIATE takes the write lock at BEGIN so two writers queue instead of
        # failing with "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            "PRAGMA foreign_keys=ON;",
        }
    elif engine == "django.db.backends.postgresql":
        # A health check is one more round trip on every request; turn it on where the database
        # restarts under a running web tier (failover), off where every round trip counts.
        config["CONN_HEALTH_CHECKS"] = env_bool("DB_HEALTH_CHECKS", default=False)
    else:
        raise ImproperlyConfigured(
            f"{variable} must point at SQLite or PostgreSQL; got engine {engine!r}"
        )
    return config


DATABASES = {"default": _database()}


def _replica(primary: dict[str, object]) -> dict[str, object] | None:
    """DATABASE_REPLICA_URL: a read replica of the primary (same engine) that the selectors
    wrapped in `core.replica.reads()` may read from (docs/SCALING.md). Its tests point it at
    the primary's own test database."""
    if not env_str("DATABASE_REPLICA_URL"):
        return None
    config = _database("DATABASE_REPLICA_URL")
    if config["ENGINE"] != primary["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must use the same engine as DATABASE_URL; "
            f"got {config['ENGINE']!r} and {primary['ENGINE']!r}"
        )
    config["TEST"] = {"MIRROR": "default"}
    return config


_REPLICA = _replica(DATABASES["default"])
if _REPLICA is not None:
    DATABASES["replica"] = _REPLICA
    DATABASE_ROUTERS = ["sharemall.config.db_router.ReplicaRouter"]
    # First: the request's read-your-writes scope wraps everything that may read or write.
    MIDDLEWARE.insert(0, "sharemall.config.db_router.ReplicaScopeMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = ["sharemall.accounts.backends.PhoneBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT") or None  # only for an optional collectstatic
# Serve straight from the app folders so `sharemall serve` needs no collect step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(WORK_DIR / "media")))


def _media_storage() -> dict[str, object]:
    """Uploaded images on local disk (MEDIA_ROOT) by default, or in an S3-compatible bucket."""
    kind = env_str("MEDIA_STORAGE", "local").lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3; got {kind!r}")
    bucket = env_str("S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("S3_BUCKET is required when MEDIA_STORAGE is s3")
    endpoint = env_str("S3_ENDPOINT_URL")
    if endpoint and not re.fullmatch(r"https?://[^/\s]+/?", endpoint):
        raise ImproperlyConfigured(f"S3_ENDPOINT_URL must be https://host[:port]; got {endpoint!r}")
    region = env_str("S3_REGION")
    if region and not re.fullmatch(r"[a-z0-9-]+", region):
        raise ImproperlyConfigured(f"S3_REGION must look like cn-north-1; got {region!r}")
    style = env_str("S3_ADDRESSING_STYLE")
    if style not in {"", "path", "virtual"}:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be path or virtual; got {style!r}")
    key_id, secret = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        # Neither means the machine's own credentials (an instance role); one alone is a typo.
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together")
    domain = env_str("S3_CUSTOM_DOMAIN").rstrip("/")
    if "://" in domain:
        raise ImproperlyConfigured(f"S3_CUSTOM_DOMAIN is a host name, no scheme; got {domain!r}")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "region_name": region or None,
            "addressing_style": style or None,
            "access_key": key_id or None,
            "secret_key": secret or None,
            "custom_domain": domain or None,
            # Product images are saved under fixed names; overwriting would replace a sibling.
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own policy decides who may read
            # botocore still signs links with the retired SigV2 unless told; new buckets
            # and newer regions accept only SigV4.
            "signature_version": "s3v4",
        },
    }


STORAGES = {
    "default": _media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Share posters need a CJK font (Debian's fonts-noto-cjk); without it they fall back to
# Pillow's built-in font and say so in the log.
POSTER_FONT_PATH = env_str(
    "POSTER_FONT_PATH", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    # blob: shows photos picked for upload before they are sent (web/static/web/upload.js);
    # such a URL only ever names a file this page itself read.
    "img-src": ["'self'", "data:", "blob:"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Payments. A provider whose settings are missing is off and says so; secrets are files, not
# environment strings, so they never show up in process listings.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WECHATPAY = {
    key: env_str(f"WECHATPAY_{key}")
    for key in (
        "MCHID",
        "APPID",
        "CERT_SERIAL_NO",
        "PRIVATE_KEY_PATH",
        "APIV3_KEY",
        "PUBLIC_KEY_PATH",
        "PUBLIC_KEY_ID",
        "CERT_DIR",
    )
}
ALIPAY = {
    key: env_str(f"ALIPAY_{key}")
    for key in ("APPID", "PRIVATE_KEY_PATH", "PUBLIC_KEY_PATH", "SELLER_ID")
}
ALIPAY_SANDBOX_GATEWAY = env_bool("ALIPAY_SANDBOX_GATEWAY", default=False)
DEFAULT_PLATFORM_FEE_BP = env_int("DEFAULT_PLATFORM_FEE_BP", default=500)

# Order lifecycle defaults (PRODUCT §3.2).
ORDER_UNPAID_TIMEOUT_MINUTES = env_int("ORDER_UNPAID_TIMEOUT_MINUTES", default=30, minimum=1)
# Plain carts are placed and captured through hand-written SQL on PostgreSQL (checkout/fast.py);
# off, every checkout takes the general (ORM) path. Both write the same rows.
CHECKOUT_FAST_PATH = env_bool("CHECKOUT_FAST_PATH", default=True)
ORDER_AUTO_RECEIVE_DAYS = env_int("ORDER_AUTO_RECEIVE_DAYS", default=10, minimum=1)
AFTERSALES_WINDOW_DAYS = env_int("AFTERSALES_WINDOW_DAYS", default=7, minimum=0)
AFTERSALES_AUTO_APPROVE_DAYS = env_int("AFTERSALES_AUTO_APPROVE_DAYS", default=3, minimum=1)

# Withdrawals (PRODUCT §5.6): minimum, daily cap per member, and the fee on the part above the
# free amount.
WITHDRAWAL_MIN_FEN = env_int("WITHDRAWAL_MIN_FEN", default=100, minimum=1)
WITHDRAWAL_DAILY_CAP_FEN = env_int("WITHDRAWAL_DAILY_CAP_FEN", default=500_000, minimum=1)
WITHDRAWAL_FEE_FREE_FEN = env_int("WITHDRAWAL_FEE_FREE_FEN", default=100_000)
WITHDRAWAL_FEE_BP = env_int("WITHDRAWAL_FEE_BP", default=10)
# A merchant's withdrawals of its settled sales (the same mechanism, its own terms): by default
# ¥1 at least, ¥500,000 a day per merchant, and no fee.
MERCHANT_WITHDRAWAL_MIN_FEN = env_int("MERCHANT_WITHDRAWAL_MIN_FEN", default=100, minimum=1)
MERCHANT_WITHDRAWAL_DAILY_CAP_FEN = env_int(
    "MERCHANT_WITHDRAWAL_DAILY_CAP_FEN", default=50_000_000, minimum=1
)
MERCHANT_WITHDRAWAL_FEE_FREE_FEN = env_int("MERCHANT_WITHDRAWAL_FEE_FREE_FEN", default=0)
MERCHANT_WITHDRAWAL_FEE_BP = env_int("MERCHANT_WITHDRAWAL_FEE_BP", default=0)

# Partners share this part of each month's platform fees, by attributed GMV.
PARTNER_POOL_BP = env_int("PARTNER_POOL_BP", default=1000)

# Anonymous share clicks (GET /s/<code>): "buffered" answers them in front of Django and writes
# them in batches within ~50 ms (ADR 0007); "direct" writes each one before answering.
CLICK_INGEST = env_str("CLICK_INGEST", "buffered")
if CLICK_INGEST not in {"buffered", "direct"}:
    raise ImproperlyConfigured(f"CLICK_INGEST must be buffered or direct; got {CLICK_INGEST!r}")

# Business defaults that operators may later move into platform settings.
LOGIN_FAILURE_LOCKOUT = env_int("LOGIN_FAILURE_LOCKOUT", default=5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1)
AUTH_ADDRESS_LIMIT_PER_MINUTE = env_int("AUTH_ADDRESS_LIMIT_PER_MINUTE", default=20, minimum=1)
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", default=30, minimum=1)

# Phone verification (docs/sms.md). Sign-up needs an SMS code unless PHONE_VERIFICATION is off.
PHONE_VERIFICATION = env_bool("PHONE_VERIFICATION", default=True)
# Where text messages go: sandbox (recorded in the database and readable at
# /api/v1/sandbox/sms/<phone>: never in production), aliyun or tencent. Unset means the sandbox
# where the other providers are sandboxes too (SANDBOX_PAYMENTS, the demo) or under DEBUG;
# otherwise no backend, and code requests answer 503 sms_unavailable rather than expose codes.
SMS_BACKEND = env_str("SMS_BACKEND", "sandbox" if DEBUG or SANDBOX_PAYMENTS else "").lower()
if SMS_BACKEND not in {"", "sandbox", "aliyun", "tencent"}:
    raise ImproperlyConfigured(
        f"SMS_BACKEND must be sandbox, aliyun or tencent; got {SMS_BACKEND!r}"
    )
SMS_CODE_TTL_SECONDS = env_int("SMS_CODE_TTL_SECONDS", default=300, minimum=1)
SMS_CODE_MAX_ATTEMPTS = env_int("SMS_CODE_MAX_ATTEMPTS", default=5, minimum=1)
SMS_RESEND_SECONDS = env_int("SMS_RESEND_SECONDS", default=60, minimum=1)
SMS_DAILY_LIMIT_PER_PHONE = env_int("SMS_DAILY_LIMIT_PER_PHONE", default=10, minimum=1)
# Per address (IP) only while AUTH_THROTTLE is on, like the other per-address limits; set well
# above one person's needs, since many phones share an address behind carrier and office NAT.
SMS_DAILY_LIMIT_PER_ADDRESS = env_int("SMS_DAILY_LIMIT_PER_ADDRESS", default=100, minimum=1)


def _sms_templates(prefix: str) -> dict[str, str]:
    """ALIYUN_SMS_TEMPLATE_VERIFY=SMS_123 → {"verify": "SMS_123"}: our template names."""
    return {
        name.removeprefix(prefix).lower(): value.strip()
        for name, value in os.environ.items()
        if name.startswith(prefix) and value.strip()
    }


ALIYUN_SMS = {
    key: env_str(f"ALIYUN_SMS_{key}")
    for key in ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME", "ENDPOINT")
}
ALIYUN_SMS_TEMPLATES = _sms_templates("ALIYUN_SMS_TEMPLATE_")
TENCENT_SMS = {
    key: env_str(f"TENCENT_SMS_{key}")
    for key in ("SECRET_ID", "SECRET_KEY", "SDK_APP_ID", "SIGN_NAME", "REGION", "ENDPOINT")
}
TENCENT_SMS_TEMPLATES = _sms_templates("TENCENT_SMS_TEMPLATE_")

# WeChat (docs/wechat.md): the platform's official account (OA), its mini-program (MP) and an
# Open Platform third-party component through which merchants connect their own accounts. Each
# is off until its settings are given. WECHAT_SANDBOX=1 (the demo) turns on the built-in
# simulator of WeChat's servers at /wechat-sim/ and points every account at it, with the
# simulator's fixed sandbox credentials wherever none are set: the same client code, only the
# base URLs differ. The simulator's API host is answered in process (core/inprocess.py).
WECHAT_SANDBOX = env_bool("WECHAT_SANDBOX", default=False)
_WECHAT_SIM = "/wechat-sim"
# Server-to-server calls (api.weixin.qq.com) and the pages a browser is sent to
# (open.weixin.qq.com: OAuth, component authorisation; mp.weixin.qq.com: QR images).
WECHAT_API_BASE = env_str(
    "WECHAT_API_BASE",
    f"http://sandbox.invalid{_WECHAT_SIM}" if WECHAT_SANDBOX else "https://api.weixin.qq.com",
).rstrip("/")
WECHAT_OPEN_BASE = env_str(
    "WECHAT_OPEN_BASE", _WECHAT_SIM if WECHAT_SANDBOX else "https://open.weixin.qq.com"
).rstrip("/")
WECHAT_MP_WEB_BASE = env_str(
    "WECHAT_MP_WEB_BASE", _WECHAT_SIM if WECHAT_SANDBOX else "https://mp.weixin.qq.com"
).rstrip("/")
# The simulator's credentials: public test values, only ever used with the sandbox.
WECHAT_SANDBOX_ACCOUNTS = {
    "OA": {
        "APP_ID": "wx5a0d1e00000000aa",
        "APP_SECRET": "sandbox-oa-secret-0000000000000000",
        "TOKEN": "sandboxtoken",
        "AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "ORIGINAL_ID": "gh_5a0d1e000000",
    },
    "MP": {"APP_ID": "wx5a0d1e00000000bb", "APP_SECRET": "sandbox-mp-secret-0000000000000000"},
    "COMPONENT": {
        "APP_ID": "wx5a0d1e00000000cc",
        "APP_SECRET": "sandbox-component-secret-00000000",
        "TOKEN": "sandboxcomponenttoken",
        "AES_KEY": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
    },
}


def _wechat_account(prefix: str, keys: tuple[str, ...]) -> dict[str, str]:
    """WECHAT_OA_APP_ID… → {"APP_ID": …}; under the sandbox, unset keys take the simulator's."""
    fallback = WECHAT_SANDBOX_ACCOUNTS[prefix] if WECHAT_SANDBOX else {}
    return {key: env_str(f"WECHAT_{prefix}_{key}", fallback.get(key, "")) for key in keys}


# AES_KEY is the 43-character EncodingAESKey: set, messages use safe mode (encrypted).
WECHAT_OA = _wechat_account("OA", ("APP_ID", "APP_SECRET", "TOKEN", "AES_KEY", "ORIGINAL_ID"))
WECHAT_MP = _wechat_account("MP", ("APP_ID", "APP_SECRET"))
WECHAT_COMPONENT = _wechat_account("COMPONENT", ("APP_ID", "APP_SECRET", "TOKEN", "AES_KEY"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

"""The one settings module: every value comes from the environment (docs/configuration.md)."""

from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gisportal.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(env_str("GISPORTAL_STATE_DIR", str(BASE_DIR / ".state")))

# The deployment profile: "production" serves over HTTPS only (Secure cookies, HSTS, the SSL
# redirect) and requires a SECRET_KEY of its own and DEBUG off. Everything else, the
# Content-Security-Policy included, is the same in both (docs/configuration.md).
GISPORTAL_ENV = env_str("GISPORTAL_ENV", "development")
if GISPORTAL_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"GISPORTAL_ENV={GISPORTAL_ENV!r} is neither 'development' nor 'production'."
    )
PRODUCTION = GISPORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when GISPORTAL_ENV=production.")
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when GISPORTAL_ENV=production.")
    if not (DEBUG or env_bool("GISPORTAL_DEMO", True)):
        raise ImproperlyConfigured("SECRET_KEY must be set when GISPORTAL_DEMO is off.")
    # A demo installation gets a key of its own, kept beside its private database.
    _key_file = STATE_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            STATE_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
        except OSError:
            pass
# Former keys, still accepted for what they signed or encrypted (sessions, MFA secrets).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Headers of every answer, in development as in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Production: cookies only over HTTPS, plain HTTP redirected to it (but the health check, which
# a load balancer may probe over HTTP), and browsers told to use nothing else for a year.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = (
    env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0) if PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# The preload directive does nothing until the owner of the registrable domain submits it.
SECURE_HSTS_PRELOAD = PRODUCTION and env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a proxy that ends TLS and forwards plain HTTP: the header by which it says the
# client's request was HTTPS (e.g. X-Forwarded-Proto). Only for a proxy that always sets it.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# One Content-Security-Policy everywhere, so that the browser tests see the production one:
# scripts and styles from this server, or inline with the request's nonce
# (`{{ request.csp_nonce }}`); no inline attributes or handlers. MapLibre runs its worker from
# a blob: and draws images from data: and blob: URLs. form-action is left open: an identity
# provider's sign-in (OpenID Connect) is a redirect after a form's POST.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:", "blob:"],
        "connect-src": [csp.SELF],
        "worker-src": [csp.SELF, "blob:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    # Before allauth: core's page shell overrides allauth's layout, so its pages wear it too.
    "core",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "gisserver",
    "procrastinate.contrib.django",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "layers",
    "parcels",
    "datasets",
    "cases",
    "engagement",
    "permits",
    "estate",
    "budgeting",
    "fixtures",
    "gisportal",
    # Django's own form templates, found after core's overrides (core/forms.py).
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy of HTML pages (gisportal/csp.py).
    "gisportal.csp.CSPMiddleware",
    "layers.cors.CorsMiddleware",
    "gisportal.middleware.TextGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Errors under /api/ as JSON in one shape; a statement past its bound as 503 (core/errors.py).
    "core.errors.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.lockout.RateLimitPageMiddleware",
    "core.inputs.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.tenancy.MunicipalityScopeMiddleware",
    # Who made each change, and through which address, beside every row of history (core/audit.py).
    "pghistory.middleware.HistoryMiddleware",
    "core.sessions.StaffIdleSessionMiddleware",
    "core.mfa.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "layers.access.ApiKeyMiddleware",
]

# The admin's list of all history (superusers only) shows who made each change and where.
PGHISTORY_ADMIN_MODEL = "pghistory.MiddlewareEvents"

ROOT_URLCONF = "gisportal.urls"
# Forms render through the project's templates, so that core's one form style applies to all.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# The page the brand in the header and "back to the map" links lead to.
PORTAL_HOME_URL_NAME = "portal:map"
WSGI_APPLICATION = "gisportal.wsgi.application"

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
                "core.context.shell",
            ],
        },
    },
]

# Database: DATABASE_URL when set; otherwise the private cluster that scripts/pg.sh starts.
# USER owns the tables and runs migrate; the portal connects as APP_USER, which migrate creates
# when it is missing and which row-level security holds to its scope (docs/adr/0004).
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
    DATABASES["default"]["ENGINE"] = "core.db"
    DATABASES["default"]["APP_USER"] = env_str("DATABASE_APP_USER", "gisportal_app")
    DATABASES["default"]["APP_PASSWORD"] = env_str("DATABASE_APP_PASSWORD", "")
else:
    DATABASES = {
        "default": {
            # PostGIS, checking a kept connection only after a pause in its use (core/db).
            "ENGINE": "core.db",
            "NAME": env_str("GISPORTAL_DB_NAME", "gisportal"),
            "USER": "postgres",
            "APP_USER": "gisportal_app",
            "HOST": str(STATE_DIR / "run"),
            "CONN_MAX_AGE": 60,
            # A kept connection that the server has closed (a restart) is replaced, not an error.
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# GDAL older than 3.9 cannot block file and network access from spatial references; no user
# text reaches GDAL here (core/geometry.py parses with shapely and checks SRIDs against a list).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Spatial reference systems, named once (docs/adr/0001-srids.md).
SRID_STORAGE = 32638  # WGS 84 / UTM 38N: the Georgian cadastre's grid, metres
SRID_API = 4326  # WGS 84 longitude/latitude for GeoJSON and the REST API
SRID_TILES = 3857  # Web Mercator for vector tiles
SRID_ALLOWED = (4326, 32638, 32637, 3857)
GEOMETRY_MAX_VERTICES = env_int("GEOMETRY_MAX_VERTICES", 10_000, minimum=4)
# Georgia's extent in EPSG:4326 with a margin: (min lon, min lat, max lon, max lat).
GEORGIA_BBOX = (39.8, 40.9, 46.9, 43.7)

# Downloads (layers/exports.py): above this many features a background job writes the file.
EXPORT_SYNC_MAX_FEATURES = env_int("EXPORT_SYNC_MAX_FEATURES", 50_000, minimum=0)
EXPORT_KEEP_HOURS = env_float("EXPORT_KEEP_HOURS", 24.0, minimum=0.1)
EXPORT_MAX_PENDING_JOBS = env_int("EXPORT_MAX_PENDING_JOBS", 3, minimum=1)
# The worker loads the tasks of every app's jobs.py.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "jobs"
# Every job starts in the public municipality scope (core/tenancy.py).
PROCRASTINATE_ON_APP_READY = "core.tenancy.add_job_scope"

# Dataset uploads (datasets/ingest.py): what a file may weigh, packed and unpacked.
DATASET_UPLOAD_MAX_BYTES = env_int("DATASET_UPLOAD_MAX_BYTES", 100 * 1024 * 1024, minimum=1024)
DATASET_UNPACKED_MAX_BYTES = env_int("DATASET_UNPACKED_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)
DATASET_ZIP_MAX_RATIO = env_int("DATASET_ZIP_MAX_RATIO", 200, minimum=1)
DATASET_ZIP_MAX_MEMBERS = env_int("DATASET_ZIP_MAX_MEMBERS", 100, minimum=1)
# An upload is read by the ingest job this many features at a time (its memory stays flat), and
# a refused upload's file is kept this long, to be read again with other choices.
DATASET_INGEST_BATCH = env_int("DATASET_INGEST_BATCH", 5000, minimum=100)
DATASET_UPLOAD_KEEP_HOURS = env_float("DATASET_UPLOAD_KEEP_HOURS", 24.0, minimum=0.1)

# WFS (django-gisserver): the most features one GetFeature page may hold, in every format.
WFS_MAX_PAGE_SIZE = env_int("WFS_MAX_PAGE_SIZE", 5000, minimum=1)
GISSERVER_DEFAULT_MAX_PAGE_SIZE = WFS_MAX_PAGE_SIZE
GISSERVER_GEOJSON_MAX_PAGE_SIZE = WFS_MAX_PAGE_SIZE
GISSERVER_CSV_MAX_PAGE_SIZE = WFS_MAX_PAGE_SIZE

# One-window cases (cases/): absolute links in e-mails and decision PDFs, and the SMS sender.
GISPORTAL_PUBLIC_URL = env_str("GISPORTAL_PUBLIC_URL", "http://127.0.0.1:8000")
SMS_BACKEND = env_str("SMS_BACKEND", "engagement.channels.LoggingSmsBackend")

# Engagement (engagement/): notifications sent within the request instead of by the worker
# (CASES_NOTIFY_SYNC is the old name), comments a person may write an hour, and the areas
# a person may follow.
NOTIFY_SYNC = env_bool("NOTIFY_SYNC", False) or env_bool("CASES_NOTIFY_SYNC", False)
COMMENTS_PER_HOUR = env_int("COMMENTS_PER_HOUR", 20, minimum=1)
FOLLOW_AREA_MAX_KM2 = env_float("FOLLOW_AREA_MAX_KM2", 25.0, minimum=0.01)
FOLLOW_AREAS_MAX = env_int("FOLLOW_AREAS_MAX", 10, minimum=1)

# The public compliance pre-check (permits/api.py): requests per address, "<n>/<sec|min|hour|day>".
PERMITS_CHECK_RATE = env_str("PERMITS_CHECK_RATE", "300/min")

# REST API limits.
# No request holds a worker longer than this waiting for the database: the web server's
# connections bound each statement by it (gisportal/gunicorn.conf.py), 0 turns the bound off.
REQUEST_DB_TIMEOUT_SECONDS = env_float("REQUEST_DB_TIMEOUT_SECONDS", 25.0, minimum=0.0)
# A refused CSRF token under /api/ answers JSON like the API's other errors.
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 100, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 1000, minimum=1)
API_MAX_BBOX_KM2 = env_float("API_MAX_BBOX_KM2", 25.0, minimum=0.01)

# Vector tiles: Cache-Control max-age, and a server cache keyed by each layer's version.
TILE_CACHE_SECONDS = env_int("TILE_CACHE_SECONDS", 300, minimum=0)
# TILE_CACHE=off builds every tile afresh (a dummy cache): for measuring the uncached path.
TILE_CACHE = env_bool("TILE_CACHE", True)
# Each server process keeps the most asked tiles of the file cache in memory, up to this size.
TILE_MEMORY_CACHE_MB = env_int("TILE_MEMORY_CACHE_MB", 64, minimum=0)
# How long a server process answers cached tiles before Django (layers/fastpath.py) with a
# layer version it has read, before it reads it again; 0 reads it on every request.
TILE_VERSION_CHECK_SECONDS = env_float("TILE_VERSION_CHECK_SECONDS", 1.0, minimum=0.0)
# The default cache holds what every server process must agree on: sign-in failures counted
# per account (core/lockout.py), used TOTP codes, API throttles. It is a table of the database
# (made by migrate), or Redis when REDIS_URL is set (redis://host:6379/0).
REDIS_URL = env_str("REDIS_URL", "")
_shared_cache = {"KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "gisportal")}
if REDIS_URL:
    _shared_cache |= {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
else:
    _shared_cache |= {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gisportal_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
CACHES = {
    "default": _shared_cache,
    # Values keyed by a layer's version (counts, extents, where a page ended) are right in any
    # process, so each keeps its own in memory and reads them without a round trip.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
    "tiles": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("TILE_CACHE_DIR", str(STATE_DIR / "cache" / "tiles")),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": env_int("TILE_CACHE_MAX_ENTRIES", 200_000, minimum=100)},
    }
    if TILE_CACHE
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# A staff member's session ends after this long without a request (core/sessions.py).
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
# Sign-in limits (core/lockout.py), counted in the default cache: failures per account lock it
# for a while; the limits per client address are generous, for offices behind one NAT.
ACCOUNT_ADAPTER = "core.accounts.PortalAccountAdapter"
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 60, minimum=1)
LOGIN_ATTEMPTS_PER_ADDRESS = env_int("LOGIN_ATTEMPTS_PER_ADDRESS", 120, minimum=1)
ACCOUNT_RATE_LIMITS = {
    "login": f"{LOGIN_ATTEMPTS_PER_ADDRESS}/m/ip",
    "login_failed": (
        f"{LOGIN_FAILURES_PER_ADDRESS}/m/ip,{LOGIN_LOCKOUT_FAILURES}/{LOGIN_LOCKOUT_SECONDS}s/key"
    ),
}
# Behind reverse proxies: how many of them append to X-Forwarded-For, so that the limits per
# address count the client's address and not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# A second factor for staff (core/mfa.py): an authenticator app (TOTP) and recovery codes.
MFA_ADAPTER = "core.mfa.PortalMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "gisportal"
# A code of the previous or next 30 s step is taken too (a phone's clock drifts); each code
# is taken once (the used ones are kept in the default cache).
MFA_TOTP_TOLERANCE = 1

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gisportal@localhost")

LANGUAGE_CODE = "ka"
LANGUAGES = [("ka", _("Georgian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tbilisi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(STATE_DIR / "media")))
MEDIA_URL = "/media/"

REST_FRAMEWORK = {
    # Every operation lists the errors it can answer, in the one error shape (core/api.py).
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # DRF's browsable API, under the Content-Security-Policy (gisportal/csp.py).
        "gisportal.csp.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON bodies nested past a limit, or holding a NUL, are refused with 400 (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {},
    # The session of a sign-in through allauth only: a password sent with each request (HTTP
    # Basic) would pass neither the sign-in limits nor a staff member's second factor.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gisportal API",
    "DESCRIPTION": (
        "Municipal e-services of Batumi and Rustavi. Geometries are GeoJSON in EPSG:4326. "
        'Every error is JSON in one shape, the schema Error: {"detail", "code"} with '
        '"parameter" (the parameter or member at fault) and "errors" ({member: [messages]}) '
        "when they apply (docs/api.md)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from this server: no page loads anything from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets named "status" get names of their own (`check --deploy` warns otherwise).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.statuses.status_choices",
        "RuleStatusEnum": ["pass", "fail", "warning"],
        "BudgetingPhaseEnum": "budgeting.models.Phase",
        "DeliveryStatusEnum": "budgeting.models.DeliveryStatus",
        "ProposalStatusEnum": "budgeting.models.ProposalStatus",
        "BallotStatusEnum": "budgeting.models.BallotStatus",
        "BallotKindEnum": "budgeting.models.BallotKind",
        "WinnerRuleEnum": "budgeting.models.Rule",
        "ProposalCategoryEnum": "budgeting.models.Category",
        "ProjectStatusEnum": "budgeting.api.PUBLIC_STATUSES",
    },
}

# The demo flag marks an installation whose data is generated, not the real cadastre.
GISPORTAL_DEMO = env_bool("GISPORTAL_DEMO", True)

# Auctions of the municipal estate (docs/estate-auctions.md): the least number of days bidding
# stays open, and whether the demo payment provider (no money moves) is offered outside a
# demonstration portal. ESTATE_PAYMENT_PROVIDERS ({name: dotted path}) adds real providers.
ESTATE_MIN_BIDDING_DAYS = env_int("ESTATE_MIN_BIDDING_DAYS", 7, minimum=0)
ESTATE_DEMO_PAYMENTS = env_bool("ESTATE_DEMO_PAYMENTS", False)
ESTATE_PAYMENT_PROVIDERS = {"demo": "estate.payments.DemoProvider"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # procrastinate announces every task it registers at INFO, on every start.
    "loggers": {"procrastinate": {"level": "WARNING"}, "pyogrio": {"level": "WARNING"}},
}

# Participatory budgeting (docs/budgeting-ballots.md): the key of the keyed hash of residents' personal
# numbers (budgeting/voters.py). Unset, it is derived from SECRET_KEY; a deployment sets its own
# and keeps it: a new key makes every voter list and ballot key unknown.
BUDGETING_PERSON_KEY = env_str("BUDGETING_PERSON_KEY", "")

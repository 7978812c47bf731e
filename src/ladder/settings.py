"""One settings module for every environment, driven by environment variables.

Values come from the process environment, or from a `.env` file in Ladder's home folder (see
`.env.example`). Anything left unset falls back to a safe default for local use.
"""

import datetime
import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Ladder's home folder holds `.env` and `var/` (the default SQLite database): the clone when
# Ladder runs from one; for an installed package, whose files sit among the virtual
# environment's, the folder it is started in. LADDER_HOME names another.
_CLONE = Path(__file__).resolve().parent.parent.parent
BASE_DIR = Path(
    os.environ.get("LADDER_HOME")
    or (_CLONE if (_CLONE / "pyproject.toml").is_file() else Path.cwd())
).resolve()
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

PLACEHOLDER_SECRET_KEY = "change-me"

# Parsers for values django-environ takes too kindly: its bool reads a typo such as
# SECURE_SSL_REDIRECT=ture as "no", silently turning a protection off. Each of these refuses
# what it cannot read, naming the variable; an empty value means "use the default".
TRUE_WORDS = ("1", "true", "yes", "on", "y", "ok")
FALSE_WORDS = ("0", "false", "no", "off", "n")
# "Name <address>" or a bare address; names hold no commas or angle brackets.
ADMIN_ENTRY = re.compile(
    r"(?P<name>[^<>,]*)<(?P<address>[^<>\s@,]+@[^<>\s@,]+)>|(?P<bare>[^<>\s@,]+@[^<>\s@,]+)"
)


def env_bool(name: str, *, default: bool) -> bool:
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value: use 1 or 0 (true/false, yes/no, on/off also do)"
    )


def env_int(name: str, *, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number of at least {minimum}")
    if maximum is not None and int(raw) > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} is more than {maximum}")
    return int(raw)


def env_float(name: str, *, default: float) -> float:
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?", raw):
        raise ImproperlyConfigured(f"{name} must be a number such as 0.5, not {raw!r}.")
    return float(raw)


def env_origins(name: str) -> list[str]:
    """Comma-separated origins such as https://ladder.example.com: scheme and host, no path."""
    origins = [origin.strip() for origin in env.str(name, default="").split(",") if origin.strip()]
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s?#]+", origin):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin; write the scheme and host with no path, "
                "e.g. https://ladder.example.com"
            )
    return origins


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto,https` (or Django's HTTP_X_FORWARDED_PROTO,https) as Django's pair."""
    raw = env.str(name, default="").strip()
    if not raw:
        return None
    header, _, value = (part.strip() for part in raw.partition(","))
    if not re.fullmatch(r"[A-Za-z0-9_-]+", header) or not re.fullmatch(r"[^\s,]+", value):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a header and the value that means HTTPS; write e.g. "
            "X-Forwarded-Proto,https"
        )
    header = header.upper().replace("-", "_")
    return (header if header.startswith("HTTP_") else f"HTTP_{header}"), value


def env_admins(name: str) -> list[tuple[str, str]]:
    """`Ops Team <ops@example.com>, dev@example.com` as Django's (name, address) pairs."""
    admins = []
    for entry in (part.strip() for part in env.str(name, default="").split(",")):
        if not entry:
            continue
        found = ADMIN_ENTRY.fullmatch(entry)
        if not found:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an address; write Name <address> or a bare address, "
                "comma-separated"
            )
        address = found["address"] or found["bare"]
        admins.append(((found["name"] or "").strip() or address, address))
    return admins


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks, e.g. `10.0.0.0/8, 192.0.2.7, ::1`."""
    networks = []
    for entry in (part.strip() for part in env.str(name, default="").split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an IP address or network; write e.g. "
                "10.0.0.0/8, 192.0.2.7, comma-separated"
            ) from None
    return networks


DEBUG = env_bool("DEBUG", default=False)
# The placeholder is refused outside DEBUG by the system check in ladder/checks.py, which
# runserver, migrate and the WSGI entry point run; file-only commands need no secret.
SECRET_KEY = env.str("SECRET_KEY", default=PLACEHOLDER_SECRET_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ladder.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # SQLite takes one writer at a time. A transaction that reads and then writes under the
    # default deferred BEGIN cannot wait for another writer (SQLite answers "database is
    # locked" at once), so writes begin IMMEDIATE and queue for up to 20 s instead; WAL lets
    # readers go on while one writes; with WAL, synchronous=NORMAL can lose the last commits to
    # a power cut but never corrupts. Options in DATABASE_URL's query string win.
    for option, value in {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }.items():
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(option, value)
# Each process keeps its database connection between requests (checked before reuse) instead
# of opening one per request: opening costs more than the one query a ladder page makes (on
# SQLite the pragmas above run again; on PostgreSQL a server process starts). ?conn_max_age=0
# in DATABASE_URL opens one per request again.
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache: this process's memory by default, which is right for one process. Several
# processes or machines share one cache through Redis, e.g. CACHE_URL=redis://127.0.0.1:6379/1,
# so that what one computes (a ladder version's pages) serves all of them.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://ladder")}
CACHES["default"].setdefault("KEY_PREFIX", "ladder")

# `ladder serve` (gunicorn): where it listens, how many worker processes, and how long one
# request may run before gunicorn restarts its worker.
SERVE_BIND = env.str("SERVE_BIND", default="").strip() or "127.0.0.1:8000"
SERVE_WORKERS = env_int("SERVE_WORKERS", default=2 * (os.cpu_count() or 1) + 1, minimum=1)
SERVE_TIMEOUT = env_int("SERVE_TIMEOUT", default=30, minimum=1)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "ladder.frameworks",
    "ladder.people",
    "ladder.accounts",
    "ladder.sso",
    "ladder.scim",
    "ladder.audit",
    "ladder.notifications",
    "ladder.assessments",
    "ladder.promotions",
    "ladder.insights",
    # The JSON API (django-ninja; "ninja" serves the docs page's assets from this site).
    "ninja",
    "ladder.api",
    "ladder.demo",
    "ladder.ops",
]

MIDDLEWARE = [
    # First, so that every response carries the request's id and every log line of it too, and
    # the timing covers everything below.
    "ladder.logs.request_id",
    "ladder.metrics.measure",
    "django.middleware.security.SecurityMiddleware",
    "ladder.middleware.refuse_unserved_methods",
    # Before sessions read their cookie and before any view: NUL in any value is a 400 (a
    # cookie holding one is dropped), never a 500 from the database.
    "ladder.middleware.refuse_nul",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "ladder.middleware.people_pages_not_stored",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns repeated failed sign-ins into a lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Throttles repeated failed sign-ins before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "ladder.people.auth.EmailBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("SIGN_IN_COOLOFF_MINUTES", default=15, minimum=1)
)
# Lock the pair: one address hammering one account, without locking its owner out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Count failures against the address as sign-in reads it, so "Eve@Example.com " is no new try.
AXES_USERNAME_CALLABLE = "ladder.people.auth.normalised_username"
# Behind a reverse proxy, the header it writes the client's address into (X-Forwarded-For,
# X-Real-IP). Unset, only the connection's own address counts: anyone can send any header.
SIGN_IN_CLIENT_IP_HEADER = env.str("SIGN_IN_CLIENT_IP_HEADER", default="").strip()
if SIGN_IN_CLIENT_IP_HEADER and not re.fullmatch(r"[A-Za-z0-9-]+", SIGN_IN_CLIENT_IP_HEADER):
    raise ImproperlyConfigured(
        f"SIGN_IN_CLIENT_IP_HEADER={SIGN_IN_CLIENT_IP_HEADER!r} is not a header name; "
        "write it as the proxy sends it, e.g. X-Forwarded-For"
    )
AXES_CLIENT_IP_CALLABLE = "ladder.people.auth.client_ip_address"

ROOT_URLCONF = "ladder.urls"
WSGI_APPLICATION = "ladder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ladder.frameworks.views.site_context",
                "ladder.people.views.nav_context",
                "ladder.promotions.views.cycles.nav_context",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `ladder collectstatic` gathers files for a web server in front; unset, nothing is gathered.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
STATICFILES_DIRS = [Path(__file__).parent / "static"]
# WhiteNoise serves the few static files straight from the apps, so no collectstatic step is
# needed to run the app; it adds caching headers and compression.
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "login"
# After sign-in a person lands on their own page (people:me), unless ?next= asks for another.
LOGIN_REDIRECT_URL = "people:me"
LOGOUT_REDIRECT_URL = "/"

# Reading the ladder is open to anyone who can reach the site unless this is set.
LADDER_REQUIRE_SIGN_IN = env_bool("LADDER_REQUIRE_SIGN_IN", default=False)

# -- Single sign-on (OpenID Connect), on when OIDC_ISSUER is set: the provider's issuer URL
# exactly as its discovery document states it. The README sets up Entra ID, Okta and Keycloak.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").strip()
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="").strip()
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="").strip()
# The button reads "Sign in with <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="").strip() or "single sign-on"
# The claim holding the address matched to a person. "email" counts only with email_verified
# true; Entra ID sends no such flag, so there it is preferred_username, which its admins assign.
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="").strip() or "email"
# Add a person for an address no one has, rather than refuse the sign-in.
OIDC_CREATE_PEOPLE = env_bool("OIDC_CREATE_PEOPLE", default=False)
# Off: only admins may sign in with a password, the way in when the provider fails
# (/accounts/login/?break-glass=1).
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", default=True)
if OIDC_ISSUER:
    _issuer = urlsplit(OIDC_ISSUER)
    # Tokens are trusted for what came over this connection: plain HTTP only on this machine.
    _local = _issuer.hostname in ("127.0.0.1", "localhost", "::1")
    if not (_issuer.scheme == "https" or (_issuer.scheme == "http" and _local)) or (
        not _issuer.hostname or _issuer.query or _issuer.fragment
    ):
        raise ImproperlyConfigured(
            f"OIDC_ISSUER={OIDC_ISSUER!r} is not an issuer URL: write the https:// address "
            "the provider's discovery document gives as its issuer"
        )
    if not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too: the "
            "client the provider registered for Ladder"
        )
if not PASSWORD_SIGN_IN and not OIDC_ISSUER:
    raise ImproperlyConfigured(
        "PASSWORD_SIGN_IN=0 turns password sign-in off, which leaves only single sign-on: "
        "set OIDC_ISSUER (and its client) first, or no one but an admin could sign in"
    )

# -- HTTPS and cookies: on whenever DEBUG is off; each can be set from the environment.
# Behind a proxy that ends TLS, set SECURE_PROXY_SSL_HEADER too, or every request looks like
# plain HTTP and is redirected forever. Trust that header only if the proxy always sets it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading has browsers hard-code HTTPS for the domain and takes months to undo: its owner
# opts in, so Django's reminder to (security.W021) is silenced rather than the choice made here.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Origins besides the request's own host that may post forms, e.g. when a proxy rewrites Host.
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (django-csp): everything from this site only, no inline script and
# no style attribute. The one page that styles from data (the overview's track columns) does
# so in a <style> element carrying the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# -- Metrics at /metrics for Prometheus: off (a 404) unless a token or addresses are set. A
# scraper sends the token as `Authorization: Bearer <token>`; an address in METRICS_ALLOWED_IPS
# (the connection's own, REMOTE_ADDR) needs none.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="").strip()
if METRICS_TOKEN and len(METRICS_TOKEN) < 20:
    raise ImproperlyConfigured(
        "METRICS_TOKEN is shorter than 20 characters: use a long random value, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS")

# -- The JSON API at /api/v1/: each token may make this many requests per second, minute, hour
# or day ("600/min"); more answer 429 with Retry-After. Counted in the cache (CACHE_URL), so
# with Redis the limit holds across app servers.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min").strip()
if not re.fullmatch(r"[1-9][0-9]{0,8}/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE={API_THROTTLE_RATE!r} is not a rate: write requests per period, "
        "e.g. 600/min (periods: s, min, hour, day)"
    )

# A list's cursor holds the first ordering value of the next row and how many rows sharing it
# to skip; rows that share one (events of one instant, people of one name) may be many.
NINJA_PAGINATION_MAX_OFFSET = 1_000_000

# -- Errors: logged with their traceback to stderr in every mode (gunicorn and runserver pass
# stderr on to the service's log), and mailed to ADMINS when any are set.
ADMINS = env_admins("ADMINS")
# consolemail:// by default: mail is printed, as nothing else can be known to deliver it.
globals().update(
    (key, value)
    for key, value in env.email_url("EMAIL_URL", default="consolemail://").items()
    if key.startswith("EMAIL_") and value is not None
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default="ladder@localhost")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=SERVER_EMAIL)
# A mail server that does not answer holds up the request or `ladder send-reminders` this long
# at most; the mail then stays queued and the next run tries again.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10, minimum=1)

# -- Invitations and password reset
# An invitation's link works once, for this many days; inviting again replaces it.
INVITATION_DAYS = env_int("INVITATION_DAYS", default=7, minimum=1)
# A password reset link works once, for this many hours.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", default=2, minimum=1) * 3600
# One client address may ask for this many resets per window before it is told to wait...
PASSWORD_RESET_REQUESTS = env_int("PASSWORD_RESET_REQUESTS", default=5, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", default=15, minimum=1)
# ...and one mailbox gets at most this many reset mails an hour, whoever asks.
PASSWORD_RESET_MAILS_PER_HOUR = env_int("PASSWORD_RESET_MAILS_PER_HOUR", default=3, minimum=1)

# -- Review cycles
# Reminders go out this many days before each due date, and on the day after it.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", default=3)
# A manager whose mean rating offset differs from the organisation's by more than this is
# flagged as lenient or severe on the calibration page.
CALIBRATION_THRESHOLD = env_float("CALIBRATION_THRESHOLD", default=0.5)
# A verdict resting on an assessment older than this many months is shown as stale.
ASSESSMENT_STALE_MONTHS = env_int("ASSESSMENT_STALE_MONTHS", default=6, minimum=1)
# The insights pages list people with no shared manager assessment in this many months.
INSIGHTS_NOT_ASSESSED_MONTHS = env_int(
    "INSIGHTS_NOT_ASSESSED_MONTHS", default=6, minimum=1, maximum=600
)
# The address pages in mail link to, e.g. https://ladder.example.com (no trailing slash).
SITE_URL = (env_origins("SITE_URL") or ["http://127.0.0.1:8000"])[0]
# WARNING keeps refused forms, lockouts and errors; INFO adds every sign-in. Errors are
# always kept, so there is no level above ERROR to choose.
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL={LOG_LEVEL!r} is not a level: use DEBUG, INFO, WARNING or ERROR"
    )
# plain: one line of text per record; json: one JSON object per line, for a log collector.
LOG_FORMAT = env.str("LOG_FORMAT", default="").strip().lower() or "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format: use plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ladder.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(request_id)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "ladder.logs.JsonFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # `ladder serve`'s line per request (ladder.ops.gunicorn), on stdout whatever the level.
        "ladder.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # Django's default prints its records only while DEBUG is on: here they reach stderr
        # through the root logger in every mode, and its errors (a 500's traceback) the admins.
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL},
        # A request naming a host not served is a scanner's, logged but mailed to nobody.
        "django.security.DisallowedHost": {"handlers": ["stderr"], "propagate": False},
        # runserver's line per request, as Django's default keeps it whatever the level.
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

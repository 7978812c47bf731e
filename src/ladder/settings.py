"""One settings module for every environment, driven by environment variables.

Values come from the process environment, or from a `.env` file at the project root
(see `.env.example`). Anything left unset falls back to a safe default for local use.
"""

import datetime
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

PLACEHOLDER_SECRET_KEY = "change-me"

DEBUG = env.bool("DEBUG", default=False)
# The placeholder is refused outside DEBUG by the system check in ladder/checks.py, which
# runserver, migrate and the WSGI entry point run; file-only commands need no secret.
SECRET_KEY = env.str("SECRET_KEY", default=PLACEHOLDER_SECRET_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ladder.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ladder.frameworks",
    "ladder.people",
    "ladder.audit",
    "ladder.assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
# Lock the pair: one address hammering one account, without locking its owner out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Count failures against the address as sign-in reads it, so "Eve@Example.com " is no new try.
AXES_USERNAME_CALLABLE = "ladder.people.auth.normalised_username"

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
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Reading the ladder is open to anyone who can reach the site unless this is set.
LADDER_REQUIRE_SIGN_IN = env.bool("LADDER_REQUIRE_SIGN_IN", default=False)

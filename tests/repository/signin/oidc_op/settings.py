"""Settings of the OpenID Connect provider the sign-in tests run: django-oidc-provider, on loopback.

Everything comes from the environment the test sets (tests/repository/signin/providers.py).
"""

import os

SECRET_KEY = "op-test-only-" + os.environ.get("OP_PORT", "0")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "tests.repository.signin.oidc_op.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OP_DATABASE"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGIN_URL = "/accounts/login/"
# Browsers keep cookies per host, not per port: the site under test is on 127.0.0.1 too.
SESSION_COOKIE_NAME = "op_session"
CSRF_COOKIE_NAME = "op_csrftoken"
SITE_URL = os.environ["OP_SITE_URL"]
OIDC_USERINFO = "tests.repository.signin.oidc_op.claims.userinfo"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_IDTOKEN_EXPIRE = int(os.environ.get("OP_IDTOKEN_EXPIRE", "600"))

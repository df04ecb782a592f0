"""Settings read from the environment: production values are taken, bad values fail loudly."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'broker': s.CELERY_BROKER_URL, "
    "'blobs': s.STORAGES['blobs']['BACKEND'], 'debug': s.DEBUG, 'content': s.CONTENT_ORIGIN, "
    "'hosts': s.ALLOWED_HOSTS}))"
)


def load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "deploy.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_environment_selects_the_production_engines():
    result = load(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://u:p@db.internal:5432/remixbank",
            "CELERY_BROKER_URL": "amqp://u:p@mq.internal:5672//",
            "STORAGE_BACKEND": "s3",
            "CONTENT_ORIGIN": "https://content.example.net",
            "ALLOWED_HOSTS": "remixbank.example.ac.uk,content.example.net",
        }
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown == {
        "engine": "django.db.backends.postgresql",
        "broker": "amqp://u:p@mq.internal:5672//",
        "blobs": "storages.backends.s3.S3Storage",
        "debug": False,
        "content": "https://content.example.net",
        # The content domain's version origins are always accepted, v<id>-<token>.content…
        "hosts": ["remixbank.example.ac.uk", "content.example.net", ".content.example.net"],
    }


def test_defaults_need_nothing_installed():
    shown = json.loads(load({}).stdout)
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["broker"] == "filesystem://"
    assert shown["blobs"] == "django.core.files.storage.FileSystemStorage"


def test_production_without_a_secret_key_fails_loudly():
    result = load({"DEBUG": "false", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_a_bad_boolean_names_the_variable():
    result = load({"DEBUG": "maybe"})
    assert "DEBUG='maybe' is not a boolean; use true or false" in result.stderr


def test_content_origin_must_differ_from_the_site():
    result = load({"SITE_URL": "http://127.0.0.1:8000", "CONTENT_ORIGIN": "http://127.0.0.1:8000"})
    assert "CONTENT_ORIGIN must differ from SITE_URL" in result.stderr


def test_content_origin_needs_a_name_its_versions_can_live_under():
    result = load({"CONTENT_ORIGIN": "http://127.0.0.1:8001"})
    assert result.returncode != 0
    assert "must have a host name, not an IP address" in result.stderr
    assert "v<id>-<token>.<that name>" in result.stderr


def test_site_under_the_content_domain_is_refused():
    # Its versions' scripts could set cookies the site would take for its own.
    result = load(
        {
            "SECRET_KEY": "x" * 50,
            "SITE_URL": "http://site.localhost:8000",
            "CONTENT_ORIGIN": "http://localhost:8001",
        }
    )
    assert "SITE_URL must not be under CONTENT_ORIGIN's host name" in result.stderr


def test_content_domain_under_the_site_is_refused():
    # Its versions' scripts could set a session cookie for the site's domain.
    result = load(
        {
            "SECRET_KEY": "x" * 50,
            "SITE_URL": "https://remixbank.example.ac.uk",
            "CONTENT_ORIGIN": "https://content.remixbank.example.ac.uk",
        }
    )
    assert result.returncode != 0
    assert "CONTENT_ORIGIN must not be under SITE_URL's host name" in result.stderr


def test_unknown_storage_backend_is_refused():
    result = load({"STORAGE_BACKEND": "ftp"})
    assert "STORAGE_BACKEND='ftp': use local or s3" in result.stderr


def test_a_public_site_must_have_its_own_secret_key():
    result = load({"SITE_URL": "https://remixbank.example.ac.uk", "SECRET_KEY": ""})
    assert "SECRET_KEY must be set when SITE_URL is not a local address" in result.stderr


def test_a_json_depth_below_one_is_refused():
    result = load({"JSON_MAX_DEPTH": "0"})
    assert result.returncode != 0
    assert "JSON_MAX_DEPTH='0' is too small; use 1 or more" in result.stderr

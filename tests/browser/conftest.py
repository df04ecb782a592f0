"""Browser tests: Debian's Chromium driven by Playwright against a live server and a live worker.

The main site is http://127.0.0.1:PORT and each version's origin http://v<id>-<token>.localhost:PORT:
the same live server, separate origins (and cookie jars), as in production. One browser per module; one
Celery worker per module, sharing one blob folder with the live server.
"""

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import forget_blob_storage
from tests.worker import celery_worker

# Playwright's sync API keeps an event loop in the main thread; Django's ORM calls from the
# test body are still synchronous, so the async-safety guard would refuse them wrongly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("REMIXBANK_TEST_CHROMIUM", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# axe-core, vendored so no test fetches anything: `npm pack axe-core@4.14.1`, its axe.min.js
# (MPL-2.0, the licence is in the file's header). To update, replace the file and both values.
AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).parent / "vendor" / f"axe-{AXE_VERSION}.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, checked against the checksum it was vendored with."""
    data = AXE_JS.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == AXE_SHA256, f"{AXE_JS} has SHA-256 {digest}, not the vendored {AXE_SHA256}"
    source = data.decode("utf-8")
    assert source.startswith(f"/*! axe v{AXE_VERSION}"), f"{AXE_JS} is not axe-core {AXE_VERSION}"
    return source


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def web_blobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web") / "blobs"


@pytest.fixture(autouse=True)
def blob_folder(settings, web_blobs: Path) -> Iterator[Path]:
    """Overrides tests/conftest.py: one folder per module, shared by live server and worker."""
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(web_blobs)},
        },
    }
    forget_blob_storage()
    yield web_blobs
    forget_blob_storage()


@pytest.fixture
def site(settings, live_server) -> str:
    """The main site's URL; the content domain is the same server reached as localhost, each
    version at v<id>-<token>.localhost (Chromium resolves every *.localhost to loopback)."""
    port = urlsplit(live_server.url).port
    main = f"http://127.0.0.1:{port}"
    settings.SITE_URL = main
    settings.CONTENT_ORIGIN = f"http://localhost:{port}"
    settings.CONTENT_HOST = f"localhost:{port}"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost"]
    settings.CSRF_TRUSTED_ORIGINS = [main]
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.DEBUG = False
    return main


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, web_blobs: Path) -> Iterator[object]:
    """A real Celery worker for the module; it runs tools in its headless browser too."""
    web_blobs.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock(), celery_worker(blob_dir=web_blobs, run_content=True) as w:
        yield w

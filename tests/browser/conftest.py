"""Browser tests: Debian's Chromium driven by Playwright against a live server and a live worker.

The main site is http://localhost:PORT and the content origin http://127.0.0.1:PORT: the same
live server, two origins (and two cookie jars), as in production. One browser per module; one
Celery worker per module, sharing one blob folder with the live server.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import storages
from playwright.sync_api import Browser, sync_playwright

from tests.worker import celery_worker

# Playwright's sync API keeps an event loop in the main thread; Django's ORM calls from the
# test body are still synchronous, so the async-safety guard would refuse them wrongly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
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
AXE_DIR = ROOT / ".cache" / "npm"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm into .cache/npm on first use."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is needed to install axe-core")
        subprocess.run(
            [npm, "install", "--prefix", str(AXE_DIR), "axe-core@4", "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE_JS.read_text(encoding="utf-8")


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
    storages._storages.pop("blobs", None)
    yield web_blobs
    storages._storages.pop("blobs", None)


@pytest.fixture
def site(settings, live_server) -> str:
    """The main site's URL; the content origin is the same server reached as 127.0.0.1."""
    port = urlsplit(live_server.url).port
    main = f"http://localhost:{port}"
    settings.SITE_URL = main
    settings.CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    settings.CONTENT_HOST = f"127.0.0.1:{port}"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
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

"""Bytes transferred and load time of the main pages, measured in Debian's headless Chromium.

First visits: a fresh browser profile per page, cache disabled, every response body counted as
the network reports it (encodedDataLength, so compressed sizes when compressed). The data is the
demo (load_demo: a tool with its screenshot, a scenario with its plots, a fork).
"""

import os

from tests.bench.django_env import setup_django

PAGES = [
    ("home", "/", None),
    ("home, filtered", "/?kind=tool&combine=CC-BY-4.0", None),
    ("resource page (tool)", "/i/northfield/sun-path-explorer/", None),
    ("resource page (scenario)", "/i/southbank/solar-tracker-on-a-hill/", None),
    ("resource page, signed in", "/i/northfield/sun-path-explorer/", "bob@northfield.ac.uk"),
    ("deposit", "/deposit/", "bob@northfield.ac.uk"),
    ("remix builder", "/remix/?sources=1,2", "dana@southbank.ac.uk"),
    ("review queue", "/review/", "bob@northfield.ac.uk"),
    ("institution", "/i/northfield/", None),
    ("institution admin", "/i/northfield/manage/", "alice@northfield.ac.uk"),
]


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.support import page_weight

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("load_demo", verbosity=0)
    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    site = f"http://127.0.0.1:{server.port}"
    settings.SITE_URL = site
    settings.CONTENT_ORIGIN = f"http://localhost:{server.port}"  # versions at v<id>-….localhost
    settings.CONTENT_HOST = f"localhost:{server.port}"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    users = get_user_model().objects
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page_weight(browser, site, "/")  # warm the server's templates and caches
            print(f"{'page':32} {'bytes':>9} {'requests':>8} {'load ms':>8}")
            for name, path, email in PAGES:
                user = users.get(username=email) if email else None
                w = page_weight(browser, site, path, user)
                print(f"{name:32} {w['bytes']:>9.0f} {w['requests']:>8} {w['load_ms']:>8.0f}")
            browser.close()
    finally:
        server.terminate()

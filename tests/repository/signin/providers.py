"""The identity providers the sign-in tests sign in through, each a real implementation on loopback.

OpenID Connect: django-oidc-provider in a Django project of its own (oidc_op/), served by its
own process with its own SQLite database. SAML: pysaml2's IdP (saml_idp.py).
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.services import free_port, listening
from tests.worker import ROOT, wait_for

PASSWORD = "correct horse battery staple"
# People of Northfield's own directory, as its provider knows them.
PEOPLE = [
    {
        "username": "zoe",
        "password": PASSWORD,
        "email": "zoe.okafor@staff.northfield.ac.uk",
        "first_name": "Zoë",
        "last_name": "Okafor",
    },
    {
        "username": "yusuf",
        "password": PASSWORD,
        "email": "yusuf.demir@students.northfield.ac.uk",
        "first_name": "Yusuf",
        "last_name": "Demir",
    },
    {
        "username": "xavier",
        "password": PASSWORD,
        "email": "xavier@gmail.example",
        "first_name": "Xavier",
        "last_name": "Núñez",
    },
]


@dataclass
class OidcProviderProcess:
    url: str
    issuer: str
    client_id: str
    client_secret: str


@contextmanager
def oidc_provider(
    folder: Path, *, redirect_uri: str, site_url: str | None = None, idtoken_expire: int = 600
) -> Iterator[OidcProviderProcess]:
    """Run django-oidc-provider on a free port until the block ends.

    `site_url` makes it call itself by another address (its issuer), `idtoken_expire` (seconds,
    negative for already expired) sets its id_tokens' lifetime.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "tests.repository.signin.oidc_op.settings",
        "OP_PORT": str(port),
        "OP_DATABASE": str(folder / "op.sqlite3"),
        "OP_SITE_URL": site_url or url,
        "OP_IDTOKEN_EXPIRE": str(idtoken_expire),
    }
    spec = folder / "op.json"
    client = OidcProviderProcess(
        url=url,
        issuer=f"{site_url or url}/openid",
        client_id="remixbank-northfield",
        client_secret="sécret-" + os.urandom(8).hex(),
    )
    spec.write_text(
        json.dumps(
            {
                "users": PEOPLE,
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "redirect_uri": redirect_uri,
            }
        ),
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "tests.repository.signin.oidc_op.setup", str(spec)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = (folder / "op.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        if not wait_for(lambda: listening(port) or process.poll() is not None, timeout=60):
            raise RuntimeError("the OpenID Connect provider did not start")
        if process.poll() is not None:
            raise RuntimeError((folder / "op.log").read_text(errors="replace"))
        yield client
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()

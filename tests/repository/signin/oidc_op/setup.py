"""Prepare the test provider's database: migrate, a signing key, its users and one client.

Run as `python -m tests.repository.signin.oidc_op.setup SPEC.json` with the provider's settings.
"""

import json
import sys
from pathlib import Path

import django


def main(spec_path: str) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    for person in spec["users"]:
        User.objects.create_user(
            username=person["username"],
            password=person["password"],
            email=person["email"],
            first_name=person["first_name"],
            last_name=person["last_name"],
        )
    client = Client.objects.create(
        name="Remixbank",
        client_type="confidential",
        client_id=spec["client_id"],
        client_secret=spec["client_secret"],
        _redirect_uris=spec["redirect_uri"],
        require_consent=False,
    )
    client.response_types.add(ResponseType.objects.get(value="code"))


if __name__ == "__main__":
    main(sys.argv[1])

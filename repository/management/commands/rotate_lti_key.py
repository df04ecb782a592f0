"""Rotate Remixbank's LTI signing key; the previous key stays in the JWKS until the next rotation."""

from typing import Any

from django.core.management.base import BaseCommand

from repository.actions.lti import rotate_tool_key


class Command(BaseCommand):
    help = "Make a new LTI signing key. Platforms pick it up from the JWKS URL; the old one stays listed until the next rotation."

    def handle(self, *args: Any, **options: Any) -> None:
        key = rotate_tool_key()
        self.stdout.write(f"New LTI signing key {key.kid}; the previous one stays in the JWKS.")

"""pylti1p3's launch data storage in our database, and nonces that can be used only once.

pylti1p3 checks that a nonce exists but never removes it, so the same id_token posted twice
would pass; `SingleUseNonces.check_nonce` deletes the nonce as it checks it, and only the
request whose DELETE removed the row may go on.
"""

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from repository.models import LtiLaunchState

DEFAULT_LIFETIME = 86400


class DatabaseLaunchStorage(LaunchDataStorage[Any]):
    """Key → JSON value with an expiry, shared by every web worker."""

    def get_session_cookie_name(self) -> str | None:
        # No per-browser session prefix: keys are random (state, nonce, launch id), and a
        # session cookie would not reach us inside the VLE's frame where third-party cookies
        # are blocked.
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = (
            LtiLaunchState.objects.filter(key=self._prepare_key(key), expires_at__gt=timezone.now())
            .values_list("value", flat=True)
            .first()
        )
        return row

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires = timezone.now() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        prepared = self._prepare_key(key)
        try:
            with transaction.atomic():
                LtiLaunchState.objects.update_or_create(
                    key=prepared, defaults={"value": value, "expires_at": expires}
                )
        except IntegrityError:  # another worker wrote the same key first: theirs stands
            pass

    def check_value(self, key: str) -> bool:
        return LtiLaunchState.objects.filter(
            key=self._prepare_key(key), expires_at__gt=timezone.now()
        ).exists()

    def consume(self, key: str) -> bool:
        """Delete the key; True only for the one caller that deleted a live row."""
        prepared = self._prepare_key(key)
        live = LtiLaunchState.objects.filter(key=prepared, expires_at__gt=timezone.now())
        deleted, _ = live.delete()
        return deleted > 0

    def forget(self, key: str) -> None:
        LtiLaunchState.objects.filter(key=self._prepare_key(key)).delete()


def clear_expired() -> int:
    deleted, _ = LtiLaunchState.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


class SingleUseNonces(DjangoSessionService):
    """pylti1p3's session service with nonces consumed on first check."""

    data_storage: DatabaseLaunchStorage

    def check_nonce(self, nonce: str) -> bool:
        return self.data_storage.consume(self._get_key("nonce", nonce))

"""Throttling per client: the OAuth2 application when there is one, else the person, else the address."""

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """Rates `api.read` for safe methods and `api.write` for the rest, keyed by client.

    Keyed by application rather than token, so a client cannot escape its rate by minting
    tokens. The counters live in the default cache: a shared cache (Redis) in production,
    or each process counts alone.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = "api.read" if request.method in ("GET", "HEAD", "OPTIONS") else "api.write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self) -> None:
        # The rate depends on the method, so it is chosen in allow_request().
        pass

    def get_rate(self) -> str | None:
        # Read at call time, so settings overridden in tests and benchmarks apply.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def get_cache_key(self, request: Request, view: Any) -> str:
        application_id = getattr(request.auth, "application_id", None)
        if application_id is not None:
            ident = f"app:{application_id}"
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"

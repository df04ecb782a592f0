"""Calls to a platform's addresses, refused when they lead into Remixbank's own network.

A registration's JWKS and token URLs are typed by an institution's admin and a launch's line
item URL is the platform's word; without this check either could make the site or a worker
call a service on the private network or the cloud metadata address, and read its error page
back in the admin's log. Checked on every request, redirects included.
"""

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

TIMEOUT_SECONDS = 10


class PrivateAddress(requests.exceptions.InvalidURL):
    """A platform address that resolves to a loopback, private or link-local address."""


def private_address(url: str) -> str | None:
    """The first address `url`'s host resolves to that is not public, or None."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname or "", port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return None  # requests reports an unknown host itself
    for info in found:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global:
            return str(address)
    return None


def check_platform_address(url: str) -> None:
    """Raise PrivateAddress unless `url` leads to the public internet (or the setting allows)."""
    if settings.LTI_PRIVATE_ADDRESSES:
        return
    found = private_address(url)
    if found is not None:
        raise PrivateAddress(
            f"{url} leads to {found}, an address inside Remixbank's own network, which it does "
            "not call for a platform. Give the platform's public address; if the VLE really is "
            "on this network, the site's operators can set LTI_PRIVATE_ADDRESSES=true."
        )


class PlatformSession(requests.Session):
    """Every call to a platform checked for its address and given up after TIMEOUT_SECONDS."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        check_platform_address(str(request.url))  # each hop of a redirect comes through here
        return super().send(request, **kwargs)

"""Calls to a platform's addresses, refused when they lead into Remixbank's own network.

A registration's JWKS and token URLs are typed by an institution's admin and a launch's line
item URL is the platform's word; without this check either could make the site or a worker
call a service on the private network or the cloud metadata address, and read its error page
back in the admin's log. Checked on every request, redirects included.

The host name is resolved once, the addresses checked, and the connection made to the checked
address (the name still goes in the Host header, the TLS server name and the certificate
check). Resolving again to connect would leave a DNS-rebinding window: a name answering a
public address to the check and a private one to the connection.
"""

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

TIMEOUT_SECONDS = 10

Resolver = Callable[..., list[Any]]


class PrivateAddress(requests.exceptions.InvalidURL):
    """A platform address that resolves to a loopback, private or link-local address."""


def resolve(url: str, resolver: Resolver = socket.getaddrinfo) -> list[str]:
    """Every address `url`'s host resolves to, in the resolver's order.

    Raises requests' ConnectionError naming the host when it cannot be resolved.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = resolver(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise requests.exceptions.ConnectionError(
            f"{host} could not be found ({exc}): check the platform's address"
        ) from exc
    addresses = []
    for info in found:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise requests.exceptions.ConnectionError(f"{host} has no address")
    return addresses


# IPv6 prefixes whose last 32 bits are an IPv4 address that a gateway or the kernel reaches
# for us: NAT64 (well-known and local-use) and the deprecated IPv4-compatible ::a.b.c.d.
# Python calls them global whatever IPv4 address they carry.
CARRYING_IPV4 = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)
SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")  # deprecated, still private where it is used


def is_public(address: str) -> bool:
    """Whether `address` is on the public internet, and so is any IPv4 address it carries."""
    ip = ipaddress.ip_address(address)
    if not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return True
    if ip in SITE_LOCAL:
        return False
    carried = [ip.ipv4_mapped, ip.sixtofour]
    carried += [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) for net in CARRYING_IPV4 if ip in net]
    return all(v4 is None or v4.is_global for v4 in carried)


def checked_address(
    url: str, resolver: Resolver = socket.getaddrinfo, *, allow_private: bool | None = None
) -> str:
    """The address to connect to for `url`, once all its host's addresses are checked.

    Raises PrivateAddress when any is not public (unless `allow_private`, by default
    LTI_PRIVATE_ADDRESSES, allows it).
    """
    addresses = resolve(url, resolver)
    if allow_private is None:
        allow_private = settings.LTI_PRIVATE_ADDRESSES
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise PrivateAddress(
                    f"{url} leads to {address}, an address inside Remixbank's own network, "
                    "which it does not call for a platform. Give the platform's public "
                    "address; if the VLE really is on this network, the site's operators can "
                    "set LTI_PRIVATE_ADDRESSES=true."
                )
    return addresses[0]


def pinned(base: type[HTTPConnection], address: str) -> type[HTTPConnection]:
    """`base` connecting its socket to `address`, whatever its host name resolves to now."""

    class PinnedConnection(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            by_name: str = self._dns_host  # type: ignore[has-type]
            self._dns_host = address  # the socket only: `host` is read again below for SNI
            try:
                sock: socket.socket = super()._new_conn()
            finally:
                self._dns_host = by_name
            return sock

    return PinnedConnection


class PinnedAdapter(HTTPAdapter):
    """requests' adapter whose connections go to one checked address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        address = self.address

        class PinnedHTTPPool(HTTPConnectionPool):
            ConnectionCls = pinned(HTTPConnection, address)

        class PinnedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = pinned(HTTPSConnection, address)  # type: ignore[assignment]

        self.poolmanager.pool_classes_by_scheme = {
            "http": PinnedHTTPPool,
            "https": PinnedHTTPSPool,
        }


class PlatformSession(requests.Session):
    """Every call to a platform checked for its address, connected to the address checked and
    given up after TIMEOUT_SECONDS."""

    def __init__(
        self, resolver: Resolver = socket.getaddrinfo, *, allow_private: bool | None = None
    ) -> None:
        super().__init__()
        self.resolver = resolver
        self.allow_private = allow_private
        # An environment's proxy would resolve the name itself, past the check.
        self.trust_env = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = str(request.url)  # each hop of a redirect comes through here
        address = checked_address(url, self.resolver, allow_private=self.allow_private)
        parts = urlsplit(url)
        prefix = f"{parts.scheme}://{parts.netloc}/".lower()
        mounted = self.adapters.get(prefix)
        if not isinstance(mounted, PinnedAdapter) or mounted.address != address:
            self.mount(prefix, PinnedAdapter(address))
        return super().send(request, **kwargs)

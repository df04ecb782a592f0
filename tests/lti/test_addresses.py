"""Platform calls connect to the address that was checked, not to whatever the name says next."""

import socket

import pytest
import requests

from repository.lti.addresses import PlatformSession, PrivateAddress
from tests.lti.platform import Harness


class Resolver:
    """A name server for names the machine's own cannot resolve, counting its answers."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int, **kwargs: object) -> list[tuple]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in self.answers[host]
        ]


@pytest.fixture
def platform():
    with Harness(tool="http://127.0.0.1:9", host="vle.platform.invalid") as harness:
        yield harness


def test_the_connection_goes_to_the_checked_address_and_the_name_is_resolved_once(
    platform, settings
):
    settings.LTI_PRIVATE_ADDRESSES = True  # the test platform is on loopback
    resolver = Resolver({"vle.platform.invalid": ["127.0.0.1"]})
    # `.invalid` never resolves through the machine's resolver: the answer can only have
    # reached the platform through the address checked.
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("vle.platform.invalid", platform.port)
    response = PlatformSession(resolver).get(platform.url("/jwks"))
    assert response.status_code == 200 and response.json()["keys"][0]["kty"] == "RSA"
    assert resolver.asked == ["vle.platform.invalid"]


def test_any_private_answer_is_refused_before_connecting(platform, settings):
    settings.LTI_PRIVATE_ADDRESSES = False
    resolver = Resolver({"vle.platform.invalid": ["8.8.8.8", "127.0.0.1"]})
    with pytest.raises(PrivateAddress, match=r"leads to 127\.0\.0\.1"):
        PlatformSession(resolver).get(platform.url("/jwks"))


def test_a_name_that_cannot_be_found_is_named(settings):
    settings.LTI_PRIVATE_ADDRESSES = True
    with pytest.raises(
        requests.ConnectionError, match=r"nowhere\.platform\.invalid could not be found"
    ):
        PlatformSession(Resolver({})).get("http://nowhere.platform.invalid/jwks")

"""Platform calls connect to the address that was checked, not to whatever the name says next."""

import datetime
import socket
import ssl

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


def self_signed(name: str, folder) -> tuple[str, str]:
    """A certificate for `name` (and its key), made here: the client trusts only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_over_https_the_certificate_is_checked_for_the_name_not_the_address(settings, tmp_path):
    settings.LTI_PRIVATE_ADDRESSES = True
    cert, key = self_signed("vle.platform.invalid", tmp_path)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    harness = Harness(tool="http://127.0.0.1:9", host="vle.platform.invalid")
    harness.server.socket = server_side.wrap_socket(harness.server.socket, server_side=True)
    resolver = Resolver({"vle.platform.invalid": ["127.0.0.1"]})
    with harness:
        url = f"https://vle.platform.invalid:{harness.port}/jwks"
        response = PlatformSession(resolver).get(url, verify=cert)
        assert response.status_code == 200 and response.json()["keys"]
        # The same certificate does not pass for another name pinned to the same address.
        other = Resolver({"other.platform.invalid": ["127.0.0.1"]})
        with pytest.raises(requests.exceptions.SSLError):
            PlatformSession(other).get(
                f"https://other.platform.invalid:{harness.port}/jwks", verify=cert
            )


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of the cloud metadata address 169.254.169.254
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::7f00:1",  # local-use NAT64 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible loopback
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "::ffff:192.168.1.1",
        "fec0::1",  # site-local
    ],
)
def test_ipv6_addresses_carrying_a_private_ipv4_address_are_refused(address, settings):
    settings.LTI_PRIVATE_ADDRESSES = False
    resolver = Resolver({"vle.platform.invalid": [address]})
    with pytest.raises(PrivateAddress, match="inside Remixbank's own network"):
        PlatformSession(resolver).get("http://vle.platform.invalid/jwks")


def test_a_public_ipv6_address_and_its_nat64_of_a_public_ipv4_pass_the_check(settings):
    from repository.lti.addresses import checked_address

    settings.LTI_PRIVATE_ADDRESSES = False
    for address in ("2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1"):
        resolver = Resolver({"vle.platform.invalid": [address]})
        assert checked_address("http://vle.platform.invalid/jwks", resolver) == address

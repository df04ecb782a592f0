"""A SAML 2.0 identity provider for the sign-in tests: pysaml2's own IdP (saml2.server.Server).

This file is only the web harness around it (a login form and the routes); the AuthnRequest is
parsed and the signed Response built by pysaml2. It also publishes a federation metadata feed
signed with a federation key of its own. Attributes that misbehave (no signature, a key other
than the published one, an expired assertion, another SP's audience) can be set per test.
"""

import datetime
import html
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import Config, IdPConfig
from saml2.metadata import entities_descriptor, entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import security_context

from tests.repository.signin.providers import PASSWORD as LOGIN_PASSWORD
from tests.services import free_port

# Northfield's directory as its IdP releases it.
SAML_PEOPLE: dict[str, dict[str, list[str]]] = {
    "wanjiru": {
        "eduPersonScopedAffiliation": ["faculty@northfield.ac.uk", "member@northfield.ac.uk"],
        "pairwise-id": ["QF3K7ZP2WB5XJ@northfield.ac.uk"],
        "mail": ["wanjiru.kamau@northfield.ac.uk"],
        "displayName": ["Wanjiru Kamau"],
    },
    "søren": {
        "eduPersonScopedAffiliation": ["student@physics.northfield.ac.uk"],
        "pairwise-id": ["9DL2M4TQ8VR1C@northfield.ac.uk"],
        "mail": ["soren.lund@students.northfield.ac.uk"],
        "displayName": ["Søren Lund"],
    },
    # An IdP that vouches for someone of another institution's domain.
    "mallory": {
        "eduPersonScopedAffiliation": ["staff@southbank.ac.uk"],
        "pairwise-id": ["M4LL0RY@northfield.ac.uk"],
        "mail": ["mallory@southbank.ac.uk"],
        "displayName": ["Mallory"],
    },
}


def key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and self-signed certificate, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class SamlIdp:
    """pysaml2's IdP behind a login form, trusting the SP metadata it is given."""

    def __init__(self, folder: Path, *, sp_metadata: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.entity_id = f"{self.url}/idp"
        self.key, self.cert = key_pair(folder, "idp")
        self.federation_key, self.federation_cert = key_pair(folder, "federation")
        self.rogue_key, self.rogue_cert = key_pair(folder, "rogue")
        # Another institution's IdP in the same federation feed, with its own published key.
        self.neighbour_entity_id = f"{self.url}/neighbour-idp"
        self.neighbour_key, self.neighbour_cert = key_pair(folder, "neighbour")
        self.sp_metadata = sp_metadata
        self.sp_entity_id = sp_metadata.split('entityID="', 1)[1].split('"', 1)[0]
        # Another SP of the federation, at the same assertion consumer: for wrong audiences.
        self.other_sp = "https://other-service.example/shibboleth"
        # How it misbehaves, if at all.
        self.sign_assertion = True
        self.sign_with_rogue_key = False
        self.lifetime_minutes = 5
        self.audience: str | None = None
        # The neighbour signs the assertion as itself; the unsigned response names this IdP.
        self.answer_as_neighbour = False
        # "rogue" (another key), "wrapped" (signed feed inside an unsigned one), None (unsigned).
        self.metadata_signed_by: str | None = "federation"

    def config(self, *, key: Path, cert: Path, entity_id: str = "") -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": entity_id or self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": str(key),
                "cert_file": str(cert),
                "service": {
                    "idp": {
                        "name": "Northfield University IdP",
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.url}/sso", BINDING_HTTP_REDIRECT)]
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": self.lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    }
                },
                "metadata": {
                    "inline": [
                        self.sp_metadata,
                        self.sp_metadata.replace(self.sp_entity_id, self.other_sp),
                    ]
                },
            }
        )
        return config

    def server(self) -> Server:
        if self.answer_as_neighbour:
            return Server(
                config=self.config(
                    key=self.neighbour_key,
                    cert=self.neighbour_cert,
                    entity_id=self.neighbour_entity_id,
                )
            )
        if self.sign_with_rogue_key:
            return Server(config=self.config(key=self.rogue_key, cert=self.rogue_cert))
        return Server(config=self.config(key=self.key, cert=self.cert))

    def federation_metadata(self) -> str:
        descriptor = entity_descriptor(self.config(key=self.key, cert=self.cert))
        neighbour = entity_descriptor(
            self.config(
                key=self.neighbour_key, cert=self.neighbour_cert, entity_id=self.neighbour_entity_id
            )
        )
        if self.metadata_signed_by is None:
            unsigned, _ = entities_descriptor(
                [descriptor, neighbour], 24, "Test federation", "fed", False, None
            )
            return str(unsigned)
        key, cert = (
            (self.rogue_key, self.rogue_cert)
            if self.metadata_signed_by == "rogue"
            else (self.federation_key, self.federation_cert)
        )
        signer = Config()
        signer.load(
            {"key_file": str(key), "cert_file": str(cert), "xmlsec_binary": shutil.which("xmlsec1")}
        )
        _, xml = entities_descriptor(
            [descriptor, neighbour], 24, "Test federation", "fed", True, security_context(signer)
        )
        if self.metadata_signed_by == "wrapped":
            # The federation's signed feed, wrapped in an unsigned one that could add entities.
            inner = str(xml).split("?>", 1)[-1]
            return f'<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="outer">{inner}</md:EntitiesDescriptor>'
        return str(xml)

    def login_page(self, saml_request: str, relay_state: str, error: str = "") -> bytes:
        return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northfield IdP</title></head>
<body><h1>Northfield University login</h1>{f'<p role="alert">{html.escape(error)}</p>' if error else ""}
<form method="post" action="/sso/login"><input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<p><label for="username">Username</label> <input id="username" name="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
<button type="submit">Log in</button></form></body></html>""".encode()

    def respond(self, form: dict[str, str]) -> bytes:
        server = self.server()
        request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT)
        person = form["username"]
        identity = SAML_PEOPLE[person]
        destination = request.message.assertion_consumer_service_url
        response = server.create_authn_response(
            identity=identity,
            in_response_to=request.message.id,
            destination=destination,
            sp_entity_id=self.audience or request.message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"persistent-{person}"),
            authn={"class_ref": PASSWORD, "authn_auth": self.entity_id},
            sign_assertion=self.sign_assertion,
            sign_response=False,
        )
        text = str(response)
        if self.answer_as_neighbour:
            # The response's own Issuer comes first; the signed assertion's stays the neighbour.
            text = text.replace(f">{self.neighbour_entity_id}<", f">{self.entity_id}<", 1)
        page = server.apply_binding(
            BINDING_HTTP_POST, text, destination, form["RelayState"], response=True
        )
        return str(page["data"]).encode()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        else:
            form = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/metadata":
            body, kind = self.federation_metadata().encode(), "application/samlmetadata+xml"
        elif path == "/sso":
            body, kind = (
                self.login_page(form["SAMLRequest"], form.get("RelayState", "")),
                "text/html",
            )
        elif path == "/sso/login":
            if form.get("username") not in SAML_PEOPLE or form.get("password") != LOGIN_PASSWORD:
                body = self.login_page(
                    form["SAMLRequest"], form["RelayState"], "Wrong username or password."
                )
            else:
                body = self.respond(form)
            kind = "text/html"
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", f"{kind}; charset=utf-8")])
        return [body]


@contextmanager
def saml_idp(folder: Path, *, sp_metadata: str) -> Iterator[SamlIdp]:
    idp = SamlIdp(folder, sp_metadata=sp_metadata)
    httpd: WSGIServer = make_server("127.0.0.1", idp.port, idp, handler_class=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        httpd.shutdown()
        httpd.server_close()

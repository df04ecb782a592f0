"""A test LMS on loopback built on `lti1p3platform` (PyPI), a platform library nobody here wrote.

It plays the VLE for Remixbank: a course page that frames a placement, third-party login
initiation, the OIDC authentication endpoint that signs id_tokens (the library builds and
signs every message), the Deep Linking return endpoint (the library verifies our response
against our JWKS), the OAuth2 token endpoint, the AGS score endpoint and the Names and Roles
membership endpoint (the library checks the bearer token and shapes the container). It runs as a plain
WSGI app (no Django) on a port of its own, in a thread of the test process.

Knobs for bad input tweak what a misconfigured or hostile platform would send, and the
library still signs the result: `claim_overrides` (e.g. another `aud`), `expires_in` (a
negative lifetime gives an expired token), `rogue_key` (sign with a key the JWKS does not
publish, under the kid it does), `jwks_down`, `deployment_id`, `issuer`.
"""

import html
import json
import threading
import typing as t
import uuid
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_pem(private: str) -> str:
    key = serialization.load_pem_private_key(private.encode("ascii"), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


@dataclass
class Placement:
    """A link in the course: what the platform launches, for whom."""

    name: str
    url: str
    custom: dict[str, str] = field(default_factory=dict)
    title: str = ""
    deep_linking: bool = False
    user: str = "learner-7f3a"
    roles: list[str] = field(default_factory=lambda: [LEARNER])
    lineitem: str = ""
    names_and_roles: bool = False


class WsgiRequest(Request):
    def build_metadata(self, request: t.Any) -> TRequest:
        environ = request
        body = b""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
        content_type = environ.get("CONTENT_TYPE", "")
        form = dict(parse_qsl(body.decode("utf-8"))) if "form" in content_type else {}
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": form,
            "get_data": dict(parse_qsl(environ.get("QUERY_STRING", ""))),
            "headers": headers,
            "content_type": content_type,
            "path": environ.get("PATH_INFO", ""),
            "json": json.loads(body) if "json" in content_type and body else None,
        }


class HarnessRegistration(Registration):
    """The library's registration; with a rogue key it signs under the published kid."""

    published_kid: str | None = None

    def get_kid(self) -> str | None:
        return self.published_kid or super().get_kid()


class HarnessConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.harness: Harness = kwargs["harness"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self.harness.registration()


class HarnessLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["placement"]

    def get_redirect(self, url: str) -> t.Any:
        return ("302 Found", [("Location", url)], b"")


class HarnessLaunch(LTIAdvantageMessageLaunchAbstract):
    harness: "Harness"

    def prepare_launch(self, preflight_response: dict[str, t.Any]) -> None:
        placement = self.harness.placements[preflight_response["lti_message_hint"]]
        self.set_user_data(placement.user, placement.roles)
        self.set_launch_context_claim("course-physics-101", context_title="Physics 101")
        self.set_launch_url(placement.url)
        if placement.deep_linking:
            self.set_dl(self.harness.url("/deep-link-return"), title="Add an activity")
            return
        self.set_resource_link_claim(placement.name, title=placement.title or placement.name)
        if placement.custom:
            self.set_custom_parameters_claim(placement.custom)
        if placement.names_and_roles:
            self.set_nrps(self.harness.url("/memberships"))
        if placement.lineitem:
            self.set_ags(
                lineitems_url=self.harness.url("/lineitems"),
                lineitem_url=self.harness.url(f"/lineitems/{placement.lineitem}"),
                allow_creating_lineitems=False,
            )

    def get_launch_message(self, include_extra_claims: bool = True) -> dict[str, t.Any]:
        message = super().get_launch_message(include_extra_claims)
        message.update(self.harness.claim_overrides)
        return message

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        self.harness.last_form = dict(launch_data)
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(str(launch_data[name]))}">'
            for name in ("id_token", "state")
        )
        page = (
            f'<!doctype html><title>Launching</title><form id="f" method="post" '
            f'action="{html.escape(launch_data["launch_url"])}">{fields}</form>'
            "<script>document.getElementById('f').submit()</script>"
        )
        return ("200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode())


class HarnessScores(AssignmentsGradesService):
    harness: "Harness"

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        if self.harness.scores_fail:
            self.harness.scores_fail -= 1
            raise RuntimeError("the gradebook is down")
        self.harness.scores.setdefault(line_item_id, []).append(dict(score))
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return {"content": [], "has_next": False, "next": None}

    def find_lineitem(self, line_item_id: str) -> t.Any:
        return {"id": self.harness.url(f"/lineitems/{line_item_id}"), "scoreMaximum": 100}

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        raise NotImplementedError

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        raise NotImplementedError

    def delete_lineitem(self, line_item_id: str) -> None:
        raise NotImplementedError

    def get_results(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return {"content": [], "has_next": False, "next": None}


class HarnessMembers(NamesRoleProvisioningService):
    """The course's members, as the harness's `members` lists them."""

    harness: "Harness"

    def get_member_data_page(self, page: int = 1, limit: t.Any = None, **kwargs: t.Any) -> t.Any:
        self.harness.roster_requests.append(dict(kwargs))
        return {"content": [dict(m) for m in self.harness.members], "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id="course-physics-101", label="PHYS101", title="Physics 101")

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return resource_link_id in self.harness.placements


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Harness:
    """The test LMS. `tool` is Remixbank's site URL; `host` the name the browser reaches us by."""

    def __init__(self, *, tool: str, host: str = "localhost") -> None:
        self.tool = tool.rstrip("/")
        self.host = host
        self.private_key = rsa_pem()
        self.rogue_key: str | None = None
        self.client_id = "remixbank-" + uuid.uuid4().hex[:8]
        self.deployment_id = "deployment-1"
        self.claim_overrides: dict[str, t.Any] = {}
        self.expires_in = 300
        self.jwks_down = False
        self.scores_fail = 0
        self.placements: dict[str, Placement] = {}
        self.last_form: dict[str, t.Any] = {}
        self.deep_link_items: list[dict[str, t.Any]] = []
        self.deep_link_errors: list[str] = []
        self.scores: dict[str, list[dict[str, t.Any]]] = {}
        self.token_requests = 0
        # Names and Roles: what the platform would list for the course, fields a real VLE
        # sends that Remixbank must drop included (e-mail, picture, instructors).
        self.members: list[dict[str, t.Any]] = []
        self.members_fail = False
        self.roster_requests: list[dict[str, t.Any]] = []
        self.server = make_server(
            "127.0.0.1", 0, self.app, server_class=ThreadingServer, handler_class=QuietHandler
        )
        self.port = self.server.server_address[1]
        self.issuer_override: str | None = None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Harness":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def issuer(self) -> str:
        return self.issuer_override or self.url("")

    # What Remixbank's admin types into the registration form.
    def registration_fields(self) -> dict[str, str]:
        return {
            "issuer": self.url(""),
            "client_id": self.client_id,
            "deployment_ids": "deployment-1",
            "auth_login_url": self.url("/auth"),
            "auth_token_url": self.url("/token"),
            "jwks_url": self.url("/jwks"),
        }

    def registration(self) -> Registration:
        reg = HarnessRegistration()
        reg.set_iss(self.issuer).set_client_id(self.client_id)
        reg.set_deployment_id(self.deployment_id)
        reg.set_oidc_login_url(f"{self.tool}/lti/login/")
        reg.set_launch_url(f"{self.tool}/lti/")
        reg.set_deeplink_launch_url(f"{self.tool}/lti/deep-link/")
        reg.set_tool_key_set_url(f"{self.tool}/lti/jwks.json")
        reg.set_platform_public_key(public_pem(self.private_key))
        if self.rogue_key:
            reg.published_kid = Registration.get_jwk(public_pem(self.private_key))["kid"]
            reg.set_platform_private_key(self.rogue_key)
        else:
            reg.set_platform_private_key(self.private_key)
        return reg

    def config(self) -> HarnessConfig:
        return HarnessConfig(harness=self)

    def place(self, placement: Placement) -> str:
        """Put a link in the course; returns the course page that frames it."""
        self.placements[placement.name] = placement
        return self.url(f"/course/{placement.name}")

    def start_url(self, name: str) -> str:
        return self.url(f"/start/{name}")

    # --- the WSGI app -------------------------------------------------------------------

    def app(self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        try:
            status, headers, body = self.route(path, environ)
        except Exception as exc:  # shown to the test, as a real LMS would show an error page
            status, headers, body = (
                "500 Internal Server Error",
                [("Content-Type", "text/plain")],
                f"{type(exc).__name__}: {exc}".encode(),
            )
        start_response(status, headers)
        return [body]

    def route(
        self, path: str, environ: dict[str, t.Any]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        if path == "/jwks":
            if self.jwks_down:
                return "503 Service Unavailable", [("Content-Type", "text/plain")], b"down"
            config = self.config()
            config.get_registration()
            return json_response(config.get_jwks())
        if path.startswith("/course/"):
            name = path.split("/")[2]
            page = (
                f"<!doctype html><html lang=en><title>Physics 101</title><h1>Physics 101</h1>"
                f'<iframe id="lti-frame" title="activity" width="1000" height="800" '
                f'src="{html.escape(self.start_url(name))}"></iframe>'
            )
            return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode()
        if path.startswith("/start/"):
            name = path.split("/")[2]
            placement = self.placements[name]
            login = HarnessLogin(WsgiRequest(environ), self.config())
            login.set_lti_message_hint(placement=name)
            login.set_launch_url(placement.url)
            return t.cast(t.Any, login.initiate_login(placement.user))
        if path == "/auth":
            request = WsgiRequest(environ)
            hint = request.get_data.get("lti_message_hint", "")
            expected = f"{self.tool}/lti/launch/"
            if request.get_data.get("redirect_uri") != expected:
                return (
                    "400 Bad Request",
                    [("Content-Type", "text/plain")],
                    b"redirect_uri not registered",
                )
            if hint not in self.placements:
                return "400 Bad Request", [("Content-Type", "text/plain")], b"unknown placement"
            launch = HarnessLaunch(request, self.config())
            launch.harness = self
            launch.set_id_token_expiration(self.expires_in)
            return t.cast(t.Any, launch.lti_launch())
        if path == "/deep-link-return":
            request = WsgiRequest(environ)
            try:
                items = self.config_with_registration().validate_deeplinking_resp(request.form_data)
            except Exception as exc:
                self.deep_link_errors.append(f"{type(exc).__name__}: {exc}")
                raise
            self.deep_link_items.extend(items)
            listing = "".join(f"<li>{html.escape(str(i.get('title')))}</li>" for i in items)
            page = f"<!doctype html><title>Added</title><h1>Added to Physics 101</h1><ul id=added>{listing}</ul>"
            return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode()
        if path == "/token":
            self.token_requests += 1
            request = WsgiRequest(environ)
            return json_response(
                self.config_with_registration().get_access_token(request.form_data)
            )
        if path.startswith("/lineitems/") and path.endswith("/scores"):
            line_item = path.split("/")[2]
            request = WsgiRequest(environ)
            service = HarnessScores(
                request,
                self.config_with_registration(),
                self.url("/lineitems"),
                self.url(f"/lineitems/{line_item}"),
            )
            service.harness = self
            try:
                response = service.handle_resp(service.handle_update_score, line_item_id=line_item)
            except RuntimeError as exc:
                return (
                    "503 Service Unavailable",
                    [("Content-Type", "text/plain")],
                    str(exc).encode(),
                )
            return (
                f"{response.code} X",
                [("Content-Type", "application/json")],
                json.dumps({"message": response.message}).encode(),
            )
        if path == "/memberships":
            if self.members_fail:
                return "503 Service Unavailable", [("Content-Type", "text/plain")], b"roster down"
            members = HarnessMembers(
                WsgiRequest(environ), self.config_with_registration(), self.url("/memberships")
            )
            members.harness = self
            response = members.handle_resp(members.handle_get_members)
            body = json.dumps(response.result if response.code == 200 else response.message)
            return (
                f"{response.code} X",
                [("Content-Type", response.media_type)],
                body.encode(),
            )
        return "404 Not Found", [("Content-Type", "text/plain")], b"not here"

    def config_with_registration(self) -> HarnessConfig:
        config = self.config()
        config.get_registration()
        return config


def json_response(data: t.Any) -> tuple[str, list[tuple[str, str]], bytes]:
    return "200 OK", [("Content-Type", "application/json")], json.dumps(data).encode()

"""Work orders for the untrusted workers: a version's files and parameters packed for the broker.

The trusted side (database, storage) builds an order when a step must run deposited code; the
untrusted worker runs it (`repository.validation.untrusted`) and sends back a result, which is
unpacked here: artefact bytes go to blob storage, capped in number and size whatever the
other side claims. Files travel inline (a zip, base64) up to VALIDATION_ORDER_INLINE_BYTES,
beyond that as a fetch address signed for this order alone and short-lived.
"""

import base64
import hashlib
import io
import secrets
import zipfile
from typing import Any

import jsonschema
from django.conf import settings
from django.core import signing

from repository.models import Version
from repository.storage import blobs
from repository.validation import origins, players

FETCH_SALT = "repository.validation.orders.fetch"
VARIANT_SALT = "repository.validation.orders.variant"
ATTEMPT_SALT = "repository.validation.orders.attempt"
RUN_ORDER_TASK = "repository.validation.untrusted.run_order"
# A fixed timestamp, so the zip of a tree is the same bytes every time (its checksum is in the
# order; a fetched copy is rebuilt from storage and must match it).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# What an untrusted worker may send back. Its bytes are deposited code's doing, so every field
# is checked for type and size before any of it is read (PostgreSQL's integer holds the ms).
_TEXT = {"type": "string", "maxLength": 10_000}
_FILE = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 255}, "data": {"type": "string"}},
    "required": ["name", "data"],
}
RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 20,
    "properties": {
        "ms": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        "host": {"type": "string", "maxLength": 200},
        "unavailable": _TEXT,
        "status": {"enum": ["passed", "failed", "error"]},
        "messages": {"type": "array", "items": _TEXT, "maxItems": 500},
        "artefacts": {"type": "object", "maxProperties": 100},
        "metrics": {"type": "object", "maxProperties": 1000},
        "files": {"type": "array", "items": _FILE, "maxItems": 1000},
        "screenshot": {"type": ["string", "null"]},
        "release": {"type": "string", "maxLength": 200},
    },
    "anyOf": [{"required": ["unavailable"]}, {"required": ["status"]}],
}
MALFORMED = "The validator's worker sent a malformed result, so this step could not be finished"


def result_problem(result: Any) -> str | None:
    """What is wrong with an untrusted worker's result, or None when it has the expected shape."""
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(RESULT_SCHEMA).iter_errors(result)
    )
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the result"
    return f"{where}: {error.message[:300]}"


def malformed_message(problem: str) -> str:
    return f"{MALFORMED} ({problem}); this is our fault, not the deposit's."


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def variant_nonce(variant_run_id: int) -> str:
    """A variant run's nonce: signed, so the trusted side needs no column to recognise it."""
    return "variant:" + signing.dumps(
        {"variant": variant_run_id, "r": secrets.token_hex(8)}, salt=VARIANT_SALT
    )


def variant_of_nonce(nonce: str) -> int | None:
    """The variant run a nonce was made for, or None when it is not one of ours (or too old)."""
    if not nonce.startswith("variant:"):
        return None
    try:
        payload = signing.loads(
            nonce.removeprefix("variant:"),
            salt=VARIANT_SALT,
            max_age=settings.VALIDATION_ORDER_MAX_AGE_SECONDS,
        )
    except signing.BadSignature:
        return None
    return int(payload["variant"])


def attempt_nonce(attempt_id: int) -> str:
    """A learner's attempt's nonce: signed, like a variant run's, and told apart by its prefix."""
    return "attempt:" + signing.dumps(
        {"attempt": attempt_id, "r": secrets.token_hex(8)}, salt=ATTEMPT_SALT
    )


def attempt_of_nonce(nonce: str) -> int | None:
    """The attempt a nonce was made for, or None when it is not one of ours (or too old)."""
    if not nonce.startswith("attempt:"):
        return None
    try:
        payload = signing.loads(
            nonce.removeprefix("attempt:"),
            salt=ATTEMPT_SALT,
            max_age=settings.VALIDATION_ORDER_MAX_AGE_SECONDS,
        )
    except signing.BadSignature:
        return None
    return int(payload["attempt"])


def tree_zip(version: Version) -> bytes:
    """The version's files as a zip, byte for byte the same on every call."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, sha in version.files.order_by("path").values_list("path", "blob_id"):
            info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, blobs.read_blob(sha))
    return buffer.getvalue()


def files_for(version: Version, *, fetch: dict[str, Any]) -> dict[str, Any]:
    """The order's files: inline when small, else an address signed for `fetch` (run and nonce)."""
    data = tree_zip(version)
    sha = hashlib.sha256(data).hexdigest()
    if len(data) <= settings.VALIDATION_ORDER_INLINE_BYTES:
        return {"zip": base64.b64encode(data).decode(), "sha256": sha}
    token = signing.dumps(fetch, salt=FETCH_SALT)
    base = settings.VALIDATION_ORDER_FETCH_URL.rstrip("/")
    return {"url": f"{base}/internal/orders/{token}/files.zip", "sha256": sha}


def read_fetch_token(token: str) -> dict[str, Any]:
    """What a fetch address was signed for; raises signing.BadSignature (or SignatureExpired)."""
    payload: dict[str, Any] = signing.loads(
        token, salt=FETCH_SALT, max_age=settings.VALIDATION_ORDER_FETCH_MAX_AGE_SECONDS
    )
    return payload


def content_seed(version: Version) -> int:
    """The fuzz seed of a version: from its files' paths and contents alone, so the same bytes
    are tried with the same actions whenever, and under whichever resource, they are deposited."""
    digest = hashlib.sha256()
    for path, sha in version.files.order_by("path").values_list("path", "blob_id"):
        digest.update(f"{path}\0{sha}\n".encode())
    return int(digest.hexdigest()[:12], 16)


def build_order(
    version: Version, *, nonce: str, purpose: str, fetch: dict[str, Any], **params: Any
) -> dict[str, Any]:
    """Everything an untrusted worker needs to run `version` once, and nothing else."""
    player = players.config_of(version.manifest)
    return {
        "nonce": nonce,
        "kind": version.resource.kind,
        "purpose": purpose,
        "entry_point": origins.launch_path(version),
        "files": files_for(version, fetch=fetch),
        "params": {
            "seed": content_seed(version),
            "fuzz_seconds": settings.VALIDATION_FUZZ_SECONDS,
            "slow_3g_seconds": settings.VALIDATION_SLOW_3G_SECONDS,
            "allowed_external": list(version.manifest.get("external_resources", [])),
            # Where learners get it once published: the browser check serves it there too.
            "origin": origins.origin_of(version),
            "timeout_s": 120.0,
            # An H5P or SCORM package: the untrusted side serves its player beside its files.
            **({"player": player} if player else {}),
            # A notebook: the limit for one cell (a loop is named by its cell) and for them all.
            **(
                {
                    "cell_timeout_s": settings.VALIDATION_NOTEBOOK_CELL_SECONDS,
                    "timeout_s": settings.VALIDATION_NOTEBOOK_SECONDS,
                }
                if version.resource.kind == "notebook"
                else {}
            ),
            **params,
        },
        "limits": {
            "artefact_bytes": settings.VALIDATION_ARTEFACT_MAX_BYTES,
            "artefacts": settings.VALIDATION_ARTEFACT_MAX_COUNT,
            "fetch_bytes": settings.PACKAGE_MAX_BYTES,
        },
        "heartbeat_every": max(1, settings.VALIDATION_HEARTBEAT_SECONDS // 3),
    }


def _bytes(data: Any) -> bytes | None:
    """Decoded artefact bytes within the cap, or None."""
    if not isinstance(data, str):
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        return None
    return raw if len(raw) <= settings.VALIDATION_ARTEFACT_MAX_BYTES else None


def store_files(result: dict[str, Any]) -> list[dict[str, str]]:
    """Keep the result's files in blob storage; [{"name", "sha256"}], within the caps."""
    kept = []
    for item in list(result.get("files") or [])[: settings.VALIDATION_ARTEFACT_MAX_COUNT]:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", ""))[:200].replace("/", "_")
        raw = _bytes(item.get("data"))
        if name and raw is not None:
            sha, _ = blobs.put_bytes(raw)
            kept.append({"name": name, "sha256": sha})
    return kept


def store_screenshot(result: dict[str, Any]) -> str | None:
    raw = _bytes(result.get("screenshot"))
    if raw is None:
        return None
    sha, _ = blobs.put_bytes(raw)
    return sha


def messages_of(result: dict[str, Any]) -> list[str]:
    return [str(m)[:2000] for m in list(result.get("messages") or [])[:100]]


def plain(value: Any, depth: int = 0) -> Any:
    """A JSON value from the other side, bounded in depth, so storing it cannot hurt a page."""
    if depth > 6:
        return None
    if isinstance(value, dict):
        return {str(k)[:200]: plain(v, depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, list):
        return [plain(v, depth + 1) for v in value[:200]]
    if isinstance(value, str):
        return value[:2000]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)[:200]

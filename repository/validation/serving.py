"""How a version's files are served on its own origin: names, types, charsets and headers.

One module for the two places that serve deposited files: the content origin's views (to
learners) and the browser check (to the validating Chromium, through Playwright's router), so
what validation sees and what learners get cannot drift apart. No Django here: the browser check
runs where there is none.

Each version has an origin of its own on the content domain, `v<id>-<token>.<content host>`
(previews `p<id>-<token>.…`), like GitHub Pages' and googleusercontent's per-user hosts. Inside
it a tool gets what any page gets (same-origin fetch, ES modules, workers, storage, nested frames
that script each other); the browser keeps it away from the main site's cookies and from every
other version's storage, because those are other origins. The token is an HMAC of the id, so an
origin is stable and cannot be guessed from the id alone.
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import mimetypes
import re
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlsplit

# What the content origin and the try-it frame allow (the frame's sandbox attribute uses the
# same list). `allow-same-origin` is there because the origin is a throwaway of this version
# alone: with it, the tool's own files, storage and frames work. Without a top-navigation flag
# it cannot take over the page that embeds it; pop-ups (a credit's link in a new tab) open
# outside the sandbox, as ordinary pages of their own site.
SANDBOX_FLAGS = (
    "allow-scripts",
    "allow-same-origin",
    "allow-forms",
    "allow-modals",
    "allow-pointer-lock",
    "allow-downloads",
    "allow-popups",
    "allow-popups-to-escape-sandbox",
)
CONTENT_CSP = "sandbox " + " ".join(SANDBOX_FLAGS)
# A notebook's HTML, as validation rendered it (its outputs are the deposit's doing): no script
# runs, nothing loads from anywhere, its own styles and data: images (plots) only.
NOTEBOOK_HTML_PATH = ".remixbank/notebook.html"
NOTEBOOK_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "form-action 'none'; base-uri 'none'"
)


def rendered_notebook_blob(artefacts_by_step: list[dict[str, Any]]) -> str | None:
    """The blob of the newest notebook.html a run step kept (steps listed newest run first)."""
    for artefacts in artefacts_by_step:
        for item in artefacts.get("files") or []:
            if isinstance(item, dict) and item.get("name") == "notebook.html":
                return str(item["sha256"])
    return None


PUBLISHED, PREVIEW = "v", "p"
TOKEN_LENGTH = 16  # base32 characters: 80 bits of HMAC-SHA256
_HOST_LABEL = re.compile(r"^([vp])([1-9][0-9]{0,17})-([a-z2-7]{16})$")

# Types browsers are strict about (module scripts, workers, fonts, wasm), fixed here rather than
# read from the machine's /etc/mime.types, which differs between the site and the workers.
_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".wasm": "application/wasm",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".vtt": "text/vtt",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".py": "text/x-python",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
}
_BUILTIN_TYPES = mimetypes.MimeTypes()  # Python's own table only, the same on every machine
_TEXT_APPLICATION = {
    "application/json",
    "application/manifest+json",
    "application/xml",
    "application/xhtml+xml",
    "image/svg+xml",
    "model/gltf+json",
}
# Larger text files are served without reading them whole first: UTF-8 is declared for them.
CHARSET_SCAN_LIMIT = 16 << 20
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_CSS_CHARSET = re.compile(rb'^@charset "([A-Za-z0-9._:-]+)";')
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)


def origin_token(kind: str, version_id: int, key: bytes) -> str:
    """The unguessable, stable part of a version's host name (lower-case base32, DNS-safe)."""
    digest = hmac.new(key, f"remixbank.content-origin:{kind}{version_id}".encode(), hashlib.sha256)
    return b32encode(digest.digest()).decode().lower()[:TOKEN_LENGTH]


def version_origin(kind: str, version_id: int, *, content_origin: str, key: bytes) -> str:
    """`scheme://<kind><id>-<token>.<content host>` for a published version ("v") or a preview ("p")."""
    parts = urlsplit(content_origin)
    label = f"{kind}{version_id}-{origin_token(kind, version_id, key)}"
    return f"{parts.scheme}://{label}.{parts.netloc}"


def version_of_host(host: str, *, content_host: str, key: bytes) -> tuple[str, int] | None:
    """(kind, version id) when `host` is a genuine version origin's host, else None."""
    label, dot, rest = host.lower().partition(".")
    if not dot or rest != content_host.lower():
        return None
    match = _HOST_LABEL.match(label)
    if match is None:
        return None
    kind, version_id, token = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(token, origin_token(kind, version_id, key)):
        return None
    return kind, version_id


def file_path(url_path: str, entry_point: str) -> str:
    """The package path a request path names: `/` is the entry point, `dir/` its index.html."""
    path = url_path.lstrip("/")
    if not path:
        return entry_point
    if path.endswith("/"):
        return path + "index.html"
    return path


def content_type(path: str) -> str:
    """The type a file is served as, from its name (never sniffed: nosniff is sent)."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _TYPES.get(suffix) or _BUILTIN_TYPES.guess_type(path)[0] or "application/octet-stream"


def is_text(kind: str) -> bool:
    return kind.startswith("text/") or kind in _TEXT_APPLICATION or kind.endswith("+json")


def charset_of(kind: str, body: bytes | None) -> str | None:
    """The charset to declare for a file of type `kind`, or None for binary types.

    UTF-8 when the bytes decode as UTF-8 (or are not at hand: too large to read first); else what
    the file says of itself (a byte-order mark, an HTML `<meta charset>` or CSS `@charset` that
    Python knows); else windows-1252, the HTML standard's fallback, so the page decodes the same
    in every browser instead of by guess.
    """
    if not is_text(kind):
        return None
    if body is None:
        return "utf-8"
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    declared = _META_CHARSET.search(body[:1024]) if "html" in kind else None
    declared = declared or (_CSS_CHARSET.match(body) if kind == "text/css" else None)
    if declared:
        label = declared.group(1).decode("ascii").lower()
        try:
            codecs.lookup(label)
        except LookupError:
            pass
        else:
            return label
    return "windows-1252"


def response_headers(
    path: str, body: bytes | None, *, size: int, etag: str, immutable: bool
) -> dict[str, str]:
    """Every header a version's file is served with, on the content origin and in validation.

    `body` is the file's bytes when at hand (text files up to CHARSET_SCAN_LIMIT), used only to
    name its charset.
    """
    kind = content_type(path)
    charset = charset_of(kind, body)
    return {
        "Content-Type": f"{kind}; charset={charset}" if charset else kind,
        "Content-Length": str(size),
        "ETag": f'"{etag}"',
        "Content-Security-Policy": CONTENT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-store",
    }


def folder_redirect_headers(path: str) -> dict[str, str]:
    """A request for a folder without its slash goes to the folder (`dir` to `dir/`), as on any
    web server, so the relative addresses in its index.html resolve inside it."""
    return {**missing_headers(), "Location": "/" + quote(path.strip("/")) + "/"}


def missing_headers() -> dict[str, str]:
    """Headers of the content origin's own answers (not found, refused)."""
    return {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Security-Policy": CONTENT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }

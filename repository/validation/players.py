"""Players for packages that are not web pages of their own: H5P content and SCORM SCOs.

An H5P version is played by the vendored h5p-standalone, a SCORM version's first SCO is launched
inside a page that gives it the vendored scorm-again run-time as `window.API` (1.2) or
`window.API_1484_11` (2004). Both are served on the version's own origin under `/.remixbank/`,
beside the package's files, by the content origin (repository/web/content.py) and by the browser
check (the untrusted worker writes them beside the order's files), from the same bytes made
here, so a package plays for learners exactly as it played in validation.

Each player page sets `window.remixbankPlayer.finish()`, which the browser check calls after its
fuzz (repository/validation/browser.py): the SCORM page unloads the SCO (so it terminates, as on
leaving a page in an LMS) and returns every API call it made and what was wrong with them.

No Django here: the untrusted worker uses this module.
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

PLAYER_FOLDER = ".remixbank"  # repository.storage.packages refuses packages that use it
H5P = "h5p"
SCORM_12, SCORM_2004 = "scorm-1.2", "scorm-2004"
FORMATS = (H5P, SCORM_12, SCORM_2004)
_HERE = Path(__file__).resolve().parent
H5P_STANDALONE = _HERE / "vendor" / "h5p-standalone-3.8.2"
SCORM_AGAIN = _HERE / "vendor" / "scorm-again-3.4.3"
ASSETS = _HERE / "player_assets"
# The vendored folders as served: /.remixbank/<name>/<file>.
_VENDORED = {"h5p-standalone": H5P_STANDALONE, "scorm-again": SCORM_AGAIN}


def config_of(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """What a version's player needs (format, title, language, the SCO), or None for a plain tool."""
    package = manifest.get("package")
    if not isinstance(package, dict) or package.get("format") not in FORMATS:
        return None
    config = {
        "format": package["format"],
        "title": str(manifest.get("title", "")),
        "language": str(manifest.get("language") or "en"),
    }
    if package["format"] != H5P:
        config["launch"] = str(package.get("launch") or manifest.get("entry_point", ""))
    return config


def launch_path(config: dict[str, Any] | None, entry_point: str) -> str:
    """The page learners open: the player's for a package, else the entry point."""
    if config is None:
        return entry_point
    folder = "h5p" if config["format"] == H5P else "scorm"
    return f"{PLAYER_FOLDER}/{folder}/index.html"


@functools.cache
def _vendored_files(name: str) -> dict[str, Path]:
    root = _VENDORED[name]
    return {
        str(path.relative_to(root)): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != "README.md"
    }


def player_files(config: dict[str, Any]) -> dict[str, bytes]:
    """Every file the player serves, by path from the version's root."""
    vendored = ["h5p-standalone"] if config["format"] == H5P else ["scorm-again"]
    files = {
        f"{PLAYER_FOLDER}/{name}/{path}": local.read_bytes()
        for name in vendored
        for path, local in _vendored_files(name).items()
    }
    if config["format"] == H5P:
        files[f"{PLAYER_FOLDER}/h5p/index.html"] = _h5p_page(config)
        files[f"{PLAYER_FOLDER}/h5p/player.js"] = (ASSETS / "h5p-player.js").read_bytes()
    else:
        files[f"{PLAYER_FOLDER}/scorm/index.html"] = _scorm_page(config)
        files[f"{PLAYER_FOLDER}/scorm/runtime.js"] = (ASSETS / "scorm-runtime.js").read_bytes()
    return files


def player_file(config: dict[str, Any], path: str) -> bytes | None:
    """One file of the player (`.remixbank/...`), or None when it has no such file."""
    parts = path.split("/", 2)
    if len(parts) == 3 and parts[0] == PLAYER_FOLDER and parts[1] in _VENDORED:
        wanted = "h5p-standalone" if config["format"] == H5P else "scorm-again"
        local = _vendored_files(wanted).get(parts[2]) if parts[1] == wanted else None
        return local.read_bytes() if local is not None else None
    if path.startswith(f"{PLAYER_FOLDER}/h5p/") or path.startswith(f"{PLAYER_FOLDER}/scorm/"):
        return player_files(config).get(path)
    return None


def _page(config: dict[str, Any], head: str, body: str) -> bytes:
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(config["language"])}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(config['title'] or 'Remixbank')}</title>\n"
        "<style>html,body{margin:0;height:100%}body{font-family:system-ui,sans-serif}"
        "iframe{display:block;border:0;width:100%;height:100%}</style>\n"
        f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
    ).encode()


def _h5p_page(config: dict[str, Any]) -> bytes:
    return _page(
        config,
        '<script src="../h5p-standalone/main.bundle.js" charset="UTF-8" defer></script>\n'
        '<script src="player.js" defer></script>\n',
        f'<main id="h5p-container" aria-label="{html.escape(config["title"])}"></main>\n',
    )


def _scorm_page(config: dict[str, Any]) -> bytes:
    runtime = "scorm12.min.js" if config["format"] == SCORM_12 else "scorm2004.min.js"
    settings = {"format": config["format"], "launch": "/" + quote(config["launch"])}
    # Inside <script>, "</" would end the element: JSON lets it be written as "<\/".
    data = json.dumps(settings).replace("</", "<\\/")
    return _page(
        config,
        f'<script type="application/json" id="remixbank-scorm">{data}</script>\n'
        f'<script src="../scorm-again/{runtime}" defer></script>\n'
        '<script src="runtime.js" defer></script>\n',
        f'<iframe id="sco" title="{html.escape(config["title"])}"></iframe>\n',
    )

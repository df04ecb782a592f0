"""Where a version is served: its own origin on the content domain (CONTENT_ORIGIN's host).

The one place that names a version's origin and URLs; the naming itself is in `serving`, which
the browser check shares.
"""

from urllib.parse import quote

from django.conf import settings

from repository.models import Version
from repository.validation import players, serving


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def origin_of(version: Version | int, *, preview: bool = False) -> str:
    """The version's origin, `scheme://v<id>-<token>.<content host>` (`p…` for a preview)."""
    version_id = version if isinstance(version, int) else version.pk
    kind = serving.PREVIEW if preview else serving.PUBLISHED
    return serving.version_origin(
        kind, version_id, content_origin=settings.CONTENT_ORIGIN, key=_key()
    )


def url_of(version: Version, path: str | None = None) -> str:
    """The URL learners (published versions) or staff (previews) open the version's file at."""
    origin = origin_of(version, preview=version.state != Version.State.PUBLISHED)
    return f"{origin}/{quote(path if path is not None else launch_path(version))}"


def launch_path(version: Version) -> str:
    """The page the version opens at: its entry point, or its player's for H5P and SCORM."""
    return players.launch_path(players.config_of(version.manifest), version.entry_point)


def version_of_host(host: str) -> tuple[str, int] | None:
    """(kind, id) when `host` is one of the content domain's version origins."""
    return serving.version_of_host(host, content_host=settings.CONTENT_HOST, key=_key())

"""The content domain: each version's files served on that version's own origin.

A request reaches these views only through ContentOriginMiddleware, which routes a version
origin's host (`v<id>-<token>.<content host>`, previews `p…`) here and the bare content host to
`content_home_urls`. The headers come from `repository.validation.serving`, which the browser
check uses too: learners get exactly what validation saw.
"""

import hashlib
from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    StreamingHttpResponse,
)

from repository.access import served_files
from repository.actions.usage import Use, record_use
from repository.models import Version, VersionFile
from repository.storage import blobs
from repository.validation import origins, players, serving


def version_file(request: HttpRequest, path: str = "") -> HttpResponseBase:
    """A file of the version whose origin this is: public versions on `v…`, any on `p…`."""
    kind, version_id = request.content_version  # type: ignore[attr-defined]
    versions = Version.objects.all()
    if kind == serving.PUBLISHED:
        # Withdrawn versions keep their page, not their files: withdrawing is how staff take
        # a harmful or infringing tool out of learners' browsers.
        versions = versions.filter(state=Version.State.PUBLISHED)
    version = versions.filter(pk=version_id).first()
    if version is None:
        return not_found("This version is not published (or no longer is).")
    if version.state == Version.State.TAKEN_DOWN:
        # Not even on its preview origin: a takedown stops every copy of its files being served.
        return not_found("This version was taken down by the site's admins; it is not served.")
    if kind == serving.PREVIEW and version.state == Version.State.PUBLISHED:
        # Published since: its preview address (staff's, maybe passed around) leads to the
        # public one, so it grants nothing once the version is out.
        return HttpResponseRedirect(f"{origins.origin_of(version)}/{quote(path)}")
    if version.resource.kind == "notebook" and path == serving.NOTEBOOK_HTML_PATH:
        return rendered_notebook(request, version)
    player = players.config_of(version.manifest)
    launch = players.launch_path(player, version.entry_point)
    file_path = serving.file_path(path, launch)
    if player is not None and file_path.split("/", 1)[0] == players.PLAYER_FOLDER:
        body = players.player_file(player, file_path)
        if body is None:
            return not_found(f"{file_path} is not a file of this version's player.")
        if kind == serving.PUBLISHED and file_path == launch and request.method == "GET":
            record_use(request, version, Use.TRY)  # the player's page is the package's start
        return serve_player_file(request, file_path, body, immutable=kind == serving.PUBLISHED)
    # The content origin has no signed-in person: outsiders' view of a collection's works.
    files = served_files(AnonymousUser(), version)
    found = files.filter(path=file_path).select_related("blob").first()
    if found is None:
        index = files.filter(path=f"{file_path}/index.html")
        if index.exists():
            return folder_redirect(file_path)
        return not_found(f"{file_path} is not a file of this version.")
    if kind == serving.PUBLISHED and file_path == version.entry_point and request.method == "GET":
        # Loading the tool's entry point is starting it: in the page's frame, a tab or a VLE.
        record_use(request, version, Use.TRY)
    return serve(request, found, immutable=kind == serving.PUBLISHED)


def serve(request: HttpRequest, entry: VersionFile, *, immutable: bool) -> HttpResponseBase:
    kind = serving.content_type(entry.path)
    body = None
    if serving.is_text(kind) and entry.blob.size <= serving.CHARSET_SCAN_LIMIT:
        body = blobs.read_blob(entry.blob_id)  # its charset is named from its bytes
    headers = serving.response_headers(
        entry.path, body, size=entry.blob.size, etag=entry.blob_id, immutable=immutable
    )
    if request.headers.get("If-None-Match") == headers["ETag"]:
        # Learners on small data plans: a file already in the cache costs no bytes again.
        not_modified = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Content-Security-Policy"):
            not_modified[name] = headers[name]
        return not_modified
    response: HttpResponseBase
    if body is not None:
        response = HttpResponse(body)
    else:
        response = StreamingHttpResponse(blobs.iter_blob(entry.blob_id))
    for name, value in headers.items():
        response[name] = value
    return response


def rendered_notebook(request: HttpRequest, version: Version) -> HttpResponseBase:
    """The notebook as its newest validation run executed and rendered it (inside the sandbox),
    under a policy that runs none of its scripts: it is for reading."""
    sha = serving.rendered_notebook_blob(
        [step.artefacts for run in version.validation_runs.all() for step in run.steps.all()]
    )
    if sha is None:
        return not_found("This notebook has not been run by validation yet.")
    response = HttpResponse(blobs.read_blob(sha))
    response["Content-Type"] = "text/html; charset=utf-8"
    response["Content-Security-Policy"] = serving.NOTEBOOK_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-cache"
    return response


def serve_player_file(
    request: HttpRequest, path: str, body: bytes, *, immutable: bool
) -> HttpResponseBase:
    """A file of the H5P or SCORM player, with the headers a package's own files get."""
    headers = serving.response_headers(
        path, body, size=len(body), etag=hashlib.sha256(body).hexdigest(), immutable=immutable
    )
    if request.headers.get("If-None-Match") == headers["ETag"]:
        return HttpResponseNotModified(headers={"ETag": headers["ETag"]})
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    return response


def folder_redirect(path: str) -> HttpResponse:
    response = HttpResponse(status=301)
    for name, value in serving.folder_redirect_headers(path).items():
        response[name] = value
    return response


def not_found(message: str) -> HttpResponse:
    response = HttpResponse(message, status=404)
    for name, value in serving.missing_headers().items():
        response[name] = value
    return response


def legacy_public_file(request: HttpRequest, version_id: int, path: str) -> HttpResponseBase:
    """`<content origin>/v/<id>/<path>`, the address before per-version origins: moved there."""
    if not Version.objects.filter(pk=version_id, state=Version.State.PUBLISHED).exists():
        raise Http404("not a published version")
    return HttpResponsePermanentRedirect(f"{origins.origin_of(version_id)}/{quote(path)}")

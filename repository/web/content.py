"""The content origin: serves version files to browsers from a separate host or port."""

import mimetypes

from django.core import signing
from django.http import Http404, HttpRequest, StreamingHttpResponse

from repository.models import Version, VersionFile
from repository.storage import blobs

PREVIEW_SALT = "remixbank.content-preview"
PREVIEW_MAX_AGE = 3600


def preview_token(version: Version) -> str:
    """A short-lived path token that lets staff try an unpublished version on the content origin."""
    return signing.dumps(version.pk, salt=PREVIEW_SALT)


def serve(version: Version, path: str, *, immutable: bool) -> StreamingHttpResponse:
    entry = VersionFile.objects.filter(version=version, path=path).select_related("blob").first()
    if entry is None:
        raise Http404(f"{path} is not in this version")
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = StreamingHttpResponse(blobs.iter_blob(entry.blob_id), content_type=content_type)
    response["Content-Length"] = str(entry.blob.size)
    response["ETag"] = f'"{entry.blob_id}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-store"
    return response


def public_file(request: HttpRequest, version_id: int, path: str) -> StreamingHttpResponse:
    version = Version.objects.public().filter(pk=version_id).first()
    if version is None:
        raise Http404("not a published version")
    return serve(version, path, immutable=True)


def preview_file(request: HttpRequest, token: str, path: str) -> StreamingHttpResponse:
    try:
        version_id = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        raise Http404("preview link expired or damaged") from None
    version = Version.objects.filter(pk=version_id).first()
    if version is None:
        raise Http404
    return serve(version, path, immutable=False)

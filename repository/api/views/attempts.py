"""Attempts: a learner submits code to a scenario version, polls it, lists their own; teachers list."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from repository.access import attempts_visible_to, may_see_attempt_tables, only_own_attempts
from repository.actions.attempts import submit_attempt
from repository.actions.usage import Use, record_use
from repository.api.pagination import ApiCursorPagination
from repository.api.permissions import require_scopes
from repository.api.serializers.attempts import AttemptIn, AttemptOut
from repository.api.views.common import ApiMixin, signed_in, visible_version
from repository.models import Attempt


def _attempts(queryset: QuerySet[Attempt]) -> QuerySet[Attempt]:
    return queryset.select_related("version__resource__institution")


@extend_schema(tags=["attempts"])
class VersionAttempts(ApiMixin, generics.ListAPIView[Attempt]):
    """POST: run your controller code on your variant of this published scenario (202, poll `url`).

    GET (teachers, `review` scope): the attempts on this version that you may see, your
    learners' and, on your institution's scenarios, everyone's. A token with only `read` gets
    403: learners list their own at /api/v1/attempts/.
    """

    serializer_class = AttemptOut
    pagination_class = ApiCursorPagination
    required_scopes = ["review"]
    write_scopes = ["contribute"]
    sign_in = True

    def get_queryset(self) -> QuerySet[Attempt]:
        version = visible_version(self.request, int(self.kwargs["pk"]))
        if not may_see_attempt_tables(self.request.user):
            raise exceptions.PermissionDenied(
                "Only staff list a scenario's attempts; your own are at /api/v1/attempts/."
            )
        return _attempts(attempts_visible_to(self.request.user).filter(version=version))

    @extend_schema(request=AttemptIn, responses={202: AttemptOut})
    def post(self, request: Request, pk: int) -> Response:
        form = AttemptIn(data=request.data)
        form.is_valid(raise_exception=True)
        version = visible_version(request, pk)
        attempt = submit_attempt(
            version,
            code=form.validated_data["code"],
            by=signed_in(request),
            from_blocks=form.validated_data["from_blocks"],
        )
        record_use(request._request, version, Use.ATTEMPT)
        data = AttemptOut(attempt, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


@extend_schema(tags=["attempts"])
class MyAttempts(ApiMixin, generics.ListAPIView[Attempt]):
    """Your own attempts, newest first (`?version=<id>` for one scenario version)."""

    serializer_class = AttemptOut
    pagination_class = ApiCursorPagination
    sign_in = True

    def get_queryset(self) -> QuerySet[Attempt]:
        mine = only_own_attempts(self.request.user)
        version = self.request.query_params.get("version")
        if version:
            if not version.isdigit():
                raise exceptions.ValidationError({"version": ["Give a version id (a number)."]})
            mine = mine.filter(version_id=int(version))
        return _attempts(mine)


@extend_schema(tags=["attempts"])
class AttemptDetail(ApiMixin, generics.RetrieveAPIView[Attempt]):
    """One attempt: poll it until `finished`; yours (`read`), or, as staff, a learner's (`review`)."""

    serializer_class = AttemptOut
    sign_in = True

    def get_object(self) -> Attempt:
        user: Any = self.request.user
        attempt = get_object_or_404(
            _attempts(attempts_visible_to(user)), public_id=UUID(str(self.kwargs["attempt_id"]))
        )
        if attempt.learner_id != user.pk:
            # Another learner's work is what the teachers' list shows: the same scope reads it.
            require_scopes(self.request, ["review"])
        return attempt

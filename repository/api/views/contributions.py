"""Contribution endpoints: propose, revise, review and merge changes to a resource."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

from repository.actions import contributions
from repository.api.filters import ContributionQuery, QueryFilter
from repository.api.pagination import ApiCursorPagination
from repository.api.permissions import require_scopes
from repository.api.serializers.common import ErrorOut
from repository.api.serializers.contributions import (
    ContributionDetailOut,
    ContributionEditsIn,
    ContributionOut,
    ContributionPackageIn,
    MergeIn,
    NewReviewOut,
    ReviewIn,
    resolutions_of,
)
from repository.api.serializers.versions import AcceptedOut
from repository.api.views.common import (
    ApiMixin,
    accepted,
    signed_in,
    uploaded_path,
    visible_resource,
    visible_version,
)
from repository.models import Contribution, ContributionFile, Review


def visible_contributions(request: Request) -> QuerySet[Contribution]:
    return Contribution.objects.visible_to(request.user).select_related(
        "resource__institution", "base", "author", "merged_version"
    )


def visible_contribution(request: Request, pk: int) -> Contribution:
    return get_object_or_404(visible_contributions(request), pk=pk)


def contribution_detail(request: Request, pk: int) -> dict[str, Any]:
    contribution = get_object_or_404(
        visible_contributions(request).prefetch_related(
            Prefetch("files", ContributionFile.objects.select_related("blob")),
            Prefetch("reviews", Review.objects.select_related("author")),
        ),
        pk=pk,
    )
    return ContributionDetailOut(contribution, context={"request": request}).data


@extend_schema(tags=["contributions"])
class ContributionViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Contributions you may see: your own, and those to your institutions' resources if you
    are staff there (the review queue). Filter by `resource` and `state`."""

    sign_in = True
    lookup_value_regex = "[0-9]+"
    pagination_class = ApiCursorPagination
    filter_backends = [QueryFilter]
    filters = ["resource", "state"]
    query_class = ContributionQuery

    def get_serializer_class(self) -> type:
        return ContributionDetailOut if self.action == "retrieve" else ContributionOut

    def get_queryset(self) -> QuerySet[Contribution]:
        return visible_contributions(self.request)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(contribution_detail(request, kwargs["pk"]))

    def filter_queryset_by(self, qs: QuerySet[Contribution], query: dict[str, Any]) -> QuerySet:
        lookups = {"resource": "resource_id", "state": "state"}
        return qs.filter(
            **{lookups[name]: value for name, value in query.items() if name in lookups}
        )


@extend_schema(tags=["contributions"], responses=ContributionOut(many=True))
class ResourceContributions(ApiMixin, APIView):
    """The resource's contributions you may see: yours, or all of them if you are its staff."""

    sign_in = True

    def get(self, request: Request, pk: int) -> Response:
        resource = visible_resource(request, pk)
        found = visible_contributions(request).filter(resource=resource)
        paginator = ApiCursorPagination()
        page = paginator.paginate_queryset(found, request, view=self)
        data = ContributionOut(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


@contextmanager
def proposal_from(request: Request) -> Iterator[dict[str, Any]]:
    """A proposal's description and tree from the request: a package (multipart) or edits (JSON)."""
    if request.content_type.startswith("multipart/"):
        form: Any = ContributionPackageIn(data=request.data)
        form.is_valid(raise_exception=True)
        with uploaded_path(form.validated_data["package"]) as package:
            yield {"description": form.validated_data["description"], "package": package}
        return
    form = ContributionEditsIn(data=request.data)
    form.is_valid(raise_exception=True)
    edits = form.validated_data["edits"]
    yield {
        "description": form.validated_data["description"],
        "edits": {p: None if t is None else t.encode() for p, t in edits.items()},
    }


def contribution_created(request: Request, contribution: Contribution) -> Response:
    data = contribution_detail(request, contribution.pk)
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})


@extend_schema(
    tags=["contributions"],
    request={
        "multipart/form-data": ContributionPackageIn,
        "application/json": ContributionEditsIn,
    },
    responses={201: ContributionDetailOut},
)
class ProposeContribution(ApiMixin, APIView):
    """Propose a change to the version's resource: a whole package (multipart), or edits of
    the version's files (JSON). Checked at once; the verdict is in `check_state`.

    403 when the resource's contribution policy leaves you out: fork it instead.
    """

    write_scopes = ["contribute"]
    parser_classes = [MultiPartParser, JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        base = visible_version(request, pk)
        with proposal_from(request) as proposal:
            contribution = contributions.propose_contribution(
                base=base, by=signed_in(request), **proposal
            )
        return contribution_created(request, contribution)


@extend_schema(
    tags=["contributions"],
    request={
        "multipart/form-data": ContributionPackageIn,
        "application/json": ContributionEditsIn,
    },
    responses={201: ContributionDetailOut},
)
class ReviseContribution(ApiMixin, APIView):
    """Replace your proposal's tree (a whole package, or edits of the proposed files), e.g.
    after changes were requested; `description` becomes the revision's note. The proposal is
    open and checked again, and an earlier approval no longer holds. Its author only.
    """

    write_scopes = ["contribute"]
    parser_classes = [MultiPartParser, JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        contribution = visible_contribution(request, pk)
        with proposal_from(request) as proposal:
            note = proposal.pop("description")
            contributions.revise_contribution(
                contribution, by=signed_in(request), note=note, **proposal
            )
        return contribution_created(request, contribution)


REVIEW_ACTIONS: dict[str, Callable[..., Review]] = {
    Review.Kind.COMMENT: contributions.comment_on_contribution,
    Review.Kind.CHANGES_REQUESTED: contributions.request_changes,
    Review.Kind.APPROVED: contributions.approve_contribution,
    Review.Kind.REJECTED: contributions.reject_contribution,
}


@extend_schema(tags=["contributions"], request=ReviewIn, responses={201: NewReviewOut})
class ContributionReviews(ApiMixin, APIView):
    """Comment on a contribution (its author or the resource's staff), or give a reviewer's
    verdict: changes_requested, approved (once its checks passed) or rejected (staff only).

    Comments need the `contribute` or `review` scope; verdicts need `review`.
    """

    write_scopes = ["review"]
    other_write_scopes = [["contribute"]]
    parser_classes = [JSONParser, FormParser]

    def post(self, request: Request, pk: int) -> Response:
        form = ReviewIn(data=request.data)
        form.is_valid(raise_exception=True)
        kind = form.validated_data["kind"]
        if kind != Review.Kind.COMMENT:
            require_scopes(request, ["review"])
        contribution = visible_contribution(request, pk)
        review = REVIEW_ACTIONS[kind](
            contribution, by=signed_in(request), body=form.validated_data["body"]
        )
        contribution.refresh_from_db(fields=["state", "updated_at"])
        review.contribution = contribution
        out = NewReviewOut(review, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["contributions"],
    request=MergeIn,
    responses={201: AcceptedOut, 409: ErrorOut},
)
class MergeContribution(ApiMixin, APIView):
    """Merge an approved contribution into a new version of its resource (staff only).

    When the resource moved on and both sides changed a path, 409 merge_conflict lists the
    paths in `conflicts`; send a resolution for each and merge again.
    """

    write_scopes = ["review"]
    parser_classes = [JSONParser]

    def post(self, request: Request, pk: int) -> Response:
        form = MergeIn(data=request.data)
        form.is_valid(raise_exception=True)
        version = contributions.merge_contribution(
            visible_contribution(request, pk),
            by=signed_in(request),
            resolutions=resolutions_of(form.validated_data["resolutions"]),
        )
        return accepted(request, version, status.HTTP_201_CREATED)

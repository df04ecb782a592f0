"""Resource endpoints: the searchable list of resources and one resource."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.viewsets import ReadOnlyModelViewSet

from repository.api.filters import Ordering, QueryFilter, search, subject_q
from repository.api.pagination import ApiCursorPagination
from repository.api.serializers.resources import ResourceOut
from repository.api.views.common import ApiMixin
from repository.models import Resource


@extend_schema(tags=["resources"])
class ResourceViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Resources you may see: published ones, and your institution's or your own drafts.

    `q` searches title and summary for every word (PostgreSQL full-text search, FTS5 on SQLite).
    """

    serializer_class = ResourceOut
    pagination_class = ApiCursorPagination
    filter_backends = [QueryFilter, Ordering]
    filters = ["q", "kind", "licence", "institution", "subject", "level"]
    # `id` is creation order, through the primary key's index; created_at has no index.
    ordering_fields = ["id", "title"]

    def get_queryset(self) -> QuerySet[Resource]:
        return Resource.objects.visible_to(self.request.user).select_related(
            "institution", "latest_published"
        )

    def filter_queryset_by(self, qs: QuerySet[Resource], query: dict[str, Any]) -> QuerySet:
        if "q" in query:
            qs = search(qs, query["q"])
        if "kind" in query:
            qs = qs.filter(kind=query["kind"])
        if "licence" in query:
            qs = qs.filter(latest_published__licence=query["licence"])
        if "institution" in query:
            qs = qs.filter(institution__slug=query["institution"])
        if "subject" in query:
            qs = qs.filter(subject_q("", query["subject"]))
        if "level" in query:
            qs = qs.filter(level=query["level"])
        return qs

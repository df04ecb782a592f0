"""Filters and search for the list endpoints, validated like any other input."""

import json
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request

from repository.models import Contribution, Resource, Version
from repository.models.search import search_resources


class ListQuery(serializers.Serializer):
    """The query parameters the list endpoints understand; all optional."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words to search for."
    )
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, required=False)
    licence = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="SPDX id."
    )
    institution = serializers.SlugField(
        required=False, allow_blank=True, max_length=50, help_text="Institution slug."
    )
    subject = serializers.CharField(required=False, allow_blank=True, max_length=100)
    level = serializers.CharField(required=False, allow_blank=True, max_length=60)
    state = serializers.ChoiceField(choices=Version.State.choices, required=False)
    resource = serializers.IntegerField(required=False, min_value=1)


class ContributionQuery(serializers.Serializer):
    """The query parameters of the contribution lists."""

    resource = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=Contribution.State.choices, required=False)


def read_query(
    request: Request, names: list[str], query_class: type[serializers.Serializer] = ListQuery
) -> dict[str, Any]:
    data = {name: request.query_params[name] for name in names if name in request.query_params}
    query = query_class(data=data)
    query.is_valid(raise_exception=True)
    return {k: v for k, v in query.validated_data.items() if v not in ("", None)}


def subject_q(prefix: str, subject: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{prefix}subjects__contains": [subject]})
    # SQLite has no JSON containment: match the JSON-encoded element in the stored text.
    return Q(**{f"{prefix}subjects__icontains": json.dumps(subject)})


def search(queryset: QuerySet[Resource], words: str) -> QuerySet[Resource]:
    """Resources matching every word (repository/models/search.py); the list keeps its own order."""
    return search_resources(queryset, words)


class QueryFilter(BaseFilterBackend):
    """Applies the view's `filters` (names from its `query_class`, ListQuery unless named)
    with its `filter_queryset_by`."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        query = read_query(request, view.filters, getattr(view, "query_class", ListQuery))
        return view.filter_queryset_by(queryset, query)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = getattr(view, "query_class", ListQuery)().fields
        parameters = []
        for name in view.filters:
            field = fields[name]
            schema: dict[str, Any] = {"type": "string"}
            if isinstance(field, serializers.ChoiceField):
                schema["enum"] = list(field.choices)
            elif isinstance(field, serializers.IntegerField):
                schema = {"type": "integer", "minimum": 1}
            else:
                schema["maxLength"] = getattr(field, "max_length", None)
            if isinstance(field, serializers.SlugField):
                schema["pattern"] = "^[-a-zA-Z0-9_]*$"
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": str(field.help_text or f"Only those with this {name}."),
                    "schema": schema,
                }
            )
        return parameters


class Ordering(OrderingFilter):
    """`?ordering=title` or `-created_at`; the cursor paginator follows it."""

"""Institution endpoints: institutions, members, invitations and API clients."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

from repository.access import require_admin, require_member
from repository.actions import people
from repository.actions.api_clients import register_api_client, revoke_api_client
from repository.api.pagination import ApiCursorPagination
from repository.api.serializers.institutions import (
    ApiClientIn,
    ApiClientOut,
    InstitutionOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    NewApiClientOut,
)
from repository.api.views.common import ApiMixin, signed_in
from repository.models import ApiClient, Institution


@extend_schema(tags=["institutions"])
class InstitutionViewSet(ApiMixin, ReadOnlyModelViewSet):
    """Institutions, public to all."""

    queryset = Institution.objects.all()
    serializer_class = InstitutionOut
    lookup_field = "slug"
    pagination_class = type("InstitutionPages", (ApiCursorPagination,), {"ordering": "slug"})


class MemberPagination(ApiCursorPagination):
    ordering = "id"


@extend_schema(tags=["institutions"], responses=MemberOut(many=True))
class MemberList(ApiMixin, APIView):
    """The members of an institution and their roles: for its members only."""

    sign_in = True

    def get(self, request: Request, slug: str) -> Response:
        institution = get_object_or_404(Institution, slug=slug)
        require_member(signed_in(request), institution, "list its members")
        members = institution.memberships.select_related("user")
        paginator = MemberPagination()
        page = paginator.paginate_queryset(members, request, view=self)
        data = MemberOut(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


@extend_schema(tags=["institutions"], request=InvitationIn, responses={201: InvitationOut})
class Invitations(ApiMixin, APIView):
    """Invite someone by e-mail to join the institution with a role.

    Staff may invite students; only admins may invite staff or admins.
    """

    write_scopes = ["admin"]
    sign_in = True
    parser_classes = [JSONParser, FormParser]

    def post(self, request: Request, slug: str) -> Response:
        form = InvitationIn(data=request.data)
        form.is_valid(raise_exception=True)
        invitation = people.invite(
            institution=get_object_or_404(Institution, slug=slug),
            email=form.validated_data["email"],
            role=form.validated_data["role"],
            by=signed_in(request),
            site_url=settings.SITE_URL,
        )
        out = InvitationOut(invitation, context={"request": request}).data
        return Response(out, status=status.HTTP_201_CREATED)


@extend_schema(tags=["institutions"])
class ApiClients(ApiMixin, APIView):
    """The institution's API clients (client-credentials applications): admins only."""

    required_scopes = ["admin"]
    write_scopes = ["admin"]
    sign_in = True
    parser_classes = [JSONParser, FormParser]

    @extend_schema(responses=ApiClientOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        institution = get_object_or_404(Institution, slug=slug)
        require_admin(request.user, institution, "list API clients")
        clients = institution.api_clients.select_related("application", "institution")
        return Response(ApiClientOut(clients, many=True).data)

    @extend_schema(request=ApiClientIn, responses={201: NewApiClientOut})
    def post(self, request: Request, slug: str) -> Response:
        form = ApiClientIn(data=request.data)
        form.is_valid(raise_exception=True)
        institution = get_object_or_404(Institution, slug=slug)
        client, secret = register_api_client(
            institution=institution, name=form.validated_data["name"], by=signed_in(request)
        )
        out = NewApiClientOut(client, context={"client_secret": secret})
        return Response(out.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["institutions"], request=None, responses={204: None})
class ApiClientDetail(ApiMixin, APIView):
    """Revoke an API client: its application and every token it holds stop working at once."""

    required_scopes = ["admin"]
    write_scopes = ["admin"]
    sign_in = True

    def delete(self, request: Request, slug: str, client_id: str) -> Response:
        client = get_object_or_404(
            ApiClient.objects.select_related("institution", "application", "service_user"),
            institution__slug=slug,
            application__client_id=client_id,
        )
        revoke_api_client(client, by=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

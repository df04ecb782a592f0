"""URLs of the REST API (/api/v1/): nouns only; writes POST to them."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from repository.api import schema, views

assert schema  # registers the OpenAPI extension for our authentication class

app_name = "api"

router = SimpleRouter()
router.register("institutions", views.InstitutionViewSet, basename="institution")
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("versions", views.VersionViewSet, basename="version")
router.register("contributions", views.ContributionViewSet, basename="contribution")

version = "versions/<int:pk>/"
resource = "resources/<int:pk>/"
contribution = "contributions/<int:pk>/"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the site's CSP forbids inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "institutions/<slug:slug>/members/", views.MemberList.as_view(), name="institution-members"
    ),
    path(
        "institutions/<slug:slug>/clients/", views.ApiClients.as_view(), name="institution-clients"
    ),
    path(
        "institutions/<slug:slug>/clients/<str:client_id>/",
        views.ApiClientDetail.as_view(),
        name="institution-client",
    ),
    path(
        "institutions/<slug:slug>/invitations/",
        views.Invitations.as_view(),
        name="institution-invitations",
    ),
    path(
        resource + "contributions/",
        views.ResourceContributions.as_view(),
        name="resource-contributions",
    ),
    path(resource + "upstream/", views.Upstream.as_view(), name="resource-upstream"),
    path(
        resource + "upstream/pulls/", views.UpstreamPulls.as_view(), name="resource-upstream-pulls"
    ),
    path(version + "files/", views.FileList.as_view(), name="version-files"),
    path(version + "files/<path:path>", views.FileBytes.as_view(), name="version-file"),
    path(version + "download/", views.Download.as_view(), name="version-download"),
    path(version + "validation/", views.ValidationStatus.as_view(), name="version-validation"),
    path(version + "attribution/", views.Attribution.as_view(), name="version-attribution"),
    path(version + "lineage/", views.Lineage.as_view(), name="version-lineage"),
    path(version + "forks/", views.Forks.as_view(), name="version-forks"),
    path(version + "publication/", views.Publication.as_view(), name="version-publication"),
    path(
        version + "contributions/",
        views.ProposeContribution.as_view(),
        name="version-contributions",
    ),
    path(
        contribution + "reviews/",
        views.ContributionReviews.as_view(),
        name="contribution-reviews",
    ),
    path(contribution + "merge/", views.MergeContribution.as_view(), name="contribution-merge"),
    path(
        contribution + "revisions/",
        views.ReviseContribution.as_view(),
        name="contribution-revisions",
    ),
    path("remixes/", views.Remixes.as_view(), name="remixes"),
    path("collections/", views.Collections.as_view(), name="collections"),
    path("deposits/", views.Deposit.as_view(), name="deposits"),
    path("licences/", views.LicenceList.as_view(), name="licence-list"),
    path("licences/adaptations/", views.Adaptations.as_view(), name="licence-adaptations"),
    path("licences/<str:licence_id>/", views.LicenceDetail.as_view(), name="licence-detail"),
    path("", include(router.urls)),
    re_path(r"", views.NotFound.as_view(), name="not-found"),
]

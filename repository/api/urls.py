"""URLs of the REST API (/api/v1/): nouns only; writes POST to them."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from repository.api import schema
from repository.api.views import (
    attempts,
    common,
    contributions,
    deposits,
    imports,
    institutions,
    licences,
    moderation,
    remixes,
    resources,
    upstream,
    usage,
    versions,
)

assert schema  # registers the OpenAPI extension for our authentication class

app_name = "api"

router = SimpleRouter()
router.register("institutions", institutions.InstitutionViewSet, basename="institution")
router.register("resources", resources.ResourceViewSet, basename="resource")
router.register("versions", versions.VersionViewSet, basename="version")
router.register("contributions", contributions.ContributionViewSet, basename="contribution")

version = "versions/<int:pk>/"
resource = "resources/<int:pk>/"
contribution = "contributions/<int:pk>/"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the site's CSP forbids inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "institutions/<slug:slug>/members/",
        institutions.MemberList.as_view(),
        name="institution-members",
    ),
    path(
        "institutions/<slug:slug>/clients/",
        institutions.ApiClients.as_view(),
        name="institution-clients",
    ),
    path(
        "institutions/<slug:slug>/clients/<str:client_id>/",
        institutions.ApiClientDetail.as_view(),
        name="institution-client",
    ),
    path(
        "institutions/<slug:slug>/invitations/",
        institutions.Invitations.as_view(),
        name="institution-invitations",
    ),
    path(
        resource + "contributions/",
        contributions.ResourceContributions.as_view(),
        name="resource-contributions",
    ),
    path(resource + "upstream/", upstream.Upstream.as_view(), name="resource-upstream"),
    path(
        resource + "upstream/pulls/",
        upstream.UpstreamPulls.as_view(),
        name="resource-upstream-pulls",
    ),
    path(version + "files/", versions.FileList.as_view(), name="version-files"),
    path(version + "files/<path:path>", versions.FileBytes.as_view(), name="version-file"),
    path(version + "download/", versions.Download.as_view(), name="version-download"),
    path(version + "usage/", usage.VersionUsage.as_view(), name="version-usage"),
    path(resource + "usage/", usage.ResourceUsage.as_view(), name="resource-usage"),
    path(
        "institutions/<slug:slug>/usage/",
        usage.InstitutionUsage.as_view(),
        name="institution-usage",
    ),
    path(version + "validation/", versions.ValidationStatus.as_view(), name="version-validation"),
    path(version + "validations/", versions.Validations.as_view(), name="version-validations"),
    path(version + "attribution/", versions.Attribution.as_view(), name="version-attribution"),
    path(version + "lineage/", versions.Lineage.as_view(), name="version-lineage"),
    path(version + "forks/", remixes.Forks.as_view(), name="version-forks"),
    path(version + "publication/", versions.Publication.as_view(), name="version-publication"),
    path(version + "reports/", moderation.Reports.as_view(), name="version-reports"),
    path(
        version + "contributions/",
        contributions.ProposeContribution.as_view(),
        name="version-contributions",
    ),
    path(
        contribution + "reviews/",
        contributions.ContributionReviews.as_view(),
        name="contribution-reviews",
    ),
    path(
        contribution + "merge/",
        contributions.MergeContribution.as_view(),
        name="contribution-merge",
    ),
    path(
        contribution + "revisions/",
        contributions.ReviseContribution.as_view(),
        name="contribution-revisions",
    ),
    path(version + "attempts/", attempts.VersionAttempts.as_view(), name="version-attempts"),
    path("attempts/", attempts.MyAttempts.as_view(), name="attempts"),
    path("attempts/<uuid:attempt_id>/", attempts.AttemptDetail.as_view(), name="attempt-detail"),
    path("remixes/", remixes.Remixes.as_view(), name="remixes"),
    path("collections/", remixes.Collections.as_view(), name="collections"),
    path("deposits/", deposits.Deposit.as_view(), name="deposits"),
    path("imports/", imports.Import.as_view(), name="imports"),
    path("licences/", licences.LicenceList.as_view(), name="licence-list"),
    path("licences/adaptations/", licences.Adaptations.as_view(), name="licence-adaptations"),
    path(
        "licences/adaptations/by-part/",
        licences.PartAdaptations.as_view(),
        name="licence-adaptations-by-part",
    ),
    path("licences/<str:licence_id>/", licences.LicenceDetail.as_view(), name="licence-detail"),
    path("", include(router.urls)),
    re_path(r"", common.NotFound.as_view(), name="not-found"),
]

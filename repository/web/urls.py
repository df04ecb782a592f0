"""URLs of the main site's pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from repository.web import (
    admin_views,
    browse,
    contribution_views,
    lineage_views,
    remix_views,
    review_views,
    upstream_views,
    version_views,
    views,
)

urlpatterns = [
    path("", browse.home, name="home"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("deposit/", views.deposit, name="deposit"),
    path("licences/", views.licences, name="licences"),
    path("schemas/manifest.schema.json", views.manifest_schema, name="manifest_schema"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("people/<int:user_id>/", views.person_page, name="person"),
    path("i/<slug:slug>/", views.institution_page, name="institution"),
    path("i/<slug:slug>/manage/", admin_views.manage, name="institution_manage"),
    path(
        "i/<slug:slug>/manage/members/<int:pk>/",
        admin_views.member_update,
        name="institution_member",
    ),
    path("i/<slug:slug>/manage/invite/", admin_views.manage_invite, name="institution_invite"),
    path(
        "i/<slug:slug>/manage/clients/",
        admin_views.client_register,
        name="institution_client_register",
    ),
    path(
        "i/<slug:slug>/manage/clients/<int:pk>/revoke/",
        admin_views.client_revoke,
        name="institution_client_revoke",
    ),
    path("i/<slug:institution>/<slug:resource>/", views.resource_page, name="resource"),
    path("i/<slug:institution>/<slug:resource>/diff/", views.version_diff, name="version_diff"),
    path("i/<slug:institution>/<slug:resource>/v<int:number>/", views.version_page, name="version"),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/files/<path:path>",
        views.version_file,
        name="version_file",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/artefacts/<str:sha256>/<str:name>",
        views.version_artefact,
        name="version_artefact",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/status.json",
        version_views.version_status,
        name="version_status",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variants/",
        version_views.variant_run_request,
        name="version_variant_runs",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variants/<int:pk>/",
        version_views.variant_run_page,
        name="version_variant_run",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variants/<int:pk>/<str:sha256>/<str:name>",
        version_views.variant_run_file,
        name="version_variant_run_file",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variant.json",
        version_views.variant_download,
        name="version_variant",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/download/",
        views.version_download,
        name="version_download",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/fork/",
        views.version_fork,
        name="version_fork",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/publish/",
        views.version_publish,
        name="version_publish",
    ),
    path("remix/", remix_views.remix, name="remix"),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/lineage/",
        lineage_views.lineage_page,
        name="lineage",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/lineage.json",
        lineage_views.lineage_json,
        name="lineage_json",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/contribute/",
        contribution_views.contribute,
        name="contribute",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/contributions/",
        contribution_views.contribution_list,
        name="contributions",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/contributions/<int:pk>/",
        contribution_views.contribution_page,
        name="contribution",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/contributions/<int:pk>/revise/",
        contribution_views.revise,
        name="contribution_revise",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/upstream/",
        upstream_views.upstream_page,
        name="upstream",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/upstream/<int:source>/",
        upstream_views.upstream_pull,
        name="upstream_pull",
    ),
]

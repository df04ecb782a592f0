"""URLs of the main site's pages."""

from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from repository.web import (
    attempts,
    browse,
    cartridges,
    changes,
    contributions,
    deposits,
    lineage,
    lti,
    manage,
    oai,
    oidc,
    people,
    remixes,
    reviews,
    saml,
    signin,
    upstream,
    variants,
    versions,
)
from repository.web.sitemaps import SITEMAPS

urlpatterns = [
    path("", browse.home, name="home"),
    path("oai/", oai.oai_pmh, name="oai_pmh"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("review/", reviews.review_queue, name="review_queue"),
    path("deposit/", deposits.deposit, name="deposit"),
    path("licences/", browse.licences, name="licences"),
    path("schemas/manifest.schema.json", deposits.manifest_schema, name="manifest_schema"),
    path("accounts/signup/", people.signup, name="signup"),
    path("accounts/login/", people.SignInView.as_view(), name="login"),
    path("accounts/oidc/<slug:slug>/", oidc.OidcStart.as_view(), name="oidc_start"),
    path("accounts/oidc-callback/", oidc.OidcCallback.as_view(), name="oidc_callback"),
    path("accounts/saml/metadata/", saml.metadata, name="saml_metadata"),
    path("accounts/saml/acs/", saml.acs, name="saml_acs"),
    path("accounts/saml/<slug:slug>/", saml.start, name="saml_start"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/verify/<str:token>/", people.verify_email, name="verify_email"),
    path("invitations/<str:token>/", people.accept_invitation, name="accept_invitation"),
    path("people/<int:user_id>/", people.person_page, name="person"),
    path("i/<slug:slug>/", browse.institution_page, name="institution"),
    path("i/<slug:slug>/manage/", manage.manage, name="institution_manage"),
    path(
        "i/<slug:slug>/manage/members/<int:pk>/",
        manage.member_update,
        name="institution_member",
    ),
    path("i/<slug:slug>/manage/sign-in/", signin.sign_in_settings, name="institution_sign_in"),
    path("i/<slug:slug>/manage/invite/", manage.manage_invite, name="institution_invite"),
    path(
        "i/<slug:slug>/manage/clients/",
        manage.client_register,
        name="institution_client_register",
    ),
    path(
        "i/<slug:slug>/manage/clients/<int:pk>/revoke/",
        manage.client_revoke,
        name="institution_client_revoke",
    ),
    path("i/<slug:slug>/manage/lti/", lti.platforms, name="lti_platforms"),
    path("i/<slug:slug>/manage/lti/<int:pk>/", lti.platform_page, name="lti_platform"),
    path("i/<slug:slug>/manage/lti/<int:pk>/data/", lti.platform_data, name="lti_platform_data"),
    path("lti/", lti.target, name="lti_target"),
    path("lti/versions/<int:version_id>/", lti.target, name="lti_target_version"),
    path("lti/deep-link/", lti.target, name="lti_deep_link_target"),
    path("lti/login/", lti.login, name="lti_login"),
    path("lti/launch/", lti.launch, name="lti_launch"),
    path("lti/jwks.json", lti.jwks, name="lti_jwks"),
    path("lti/pick/<str:launch_id>/", lti.pick, name="lti_pick"),
    path("lti/data/", lti.learner_data, name="lti_learner_data"),
    path("lti/enter/<str:key>/", lti.enter, name="lti_enter"),
    path("lti/course/<str:key>/", lti.course, name="lti_course"),
    path("i/<slug:institution>/<slug:resource>/", versions.resource_page, name="resource"),
    path("i/<slug:institution>/<slug:resource>/diff/", versions.version_diff, name="version_diff"),
    path(
        "i/<slug:institution>/<slug:resource>/cartridge.imscc",
        cartridges.resource_cartridge,
        name="resource_cartridge",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/cartridge.imscc",
        cartridges.version_cartridge,
        name="version_cartridge",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/", versions.version_page, name="version"
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/changes/",
        changes.version_changes,
        name="version_changes",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/files/<path:path>",
        versions.version_file,
        name="version_file",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/artefacts/<str:sha256>/<str:name>",
        versions.version_artefact,
        name="version_artefact",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/status.json",
        versions.version_status,
        name="version_status",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variants/",
        variants.variant_run_request,
        name="version_variant_runs",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variants/<uuid:run_id>/",
        variants.variant_run_page,
        name="version_variant_run",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variants/<uuid:run_id>/<str:sha256>/<str:name>",
        variants.variant_run_file,
        name="version_variant_run_file",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/program/",
        attempts.program_page,
        name="program_it",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/program/<uuid:attempt_id>/",
        attempts.attempt_page,
        name="attempt",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/program/<uuid:attempt_id>/status.json",
        attempts.attempt_status,
        name="attempt_status",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/program/<uuid:attempt_id>/<str:sha256>/<str:name>",
        attempts.attempt_file,
        name="attempt_file",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/attempts/",
        attempts.attempts_table,
        name="attempts_table",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/variant.json",
        variants.variant_download,
        name="version_variant",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/download/",
        versions.version_download,
        name="version_download",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/fork/",
        versions.version_fork,
        name="version_fork",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/publish/",
        versions.version_publish,
        name="version_publish",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/validations/",
        versions.version_rerun,
        name="version_rerun",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/withdraw/",
        versions.version_withdraw,
        name="version_withdraw",
    ),
    path("remix/", remixes.remix, name="remix"),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/lineage/",
        lineage.lineage_page,
        name="lineage",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/lineage.json",
        lineage.lineage_json,
        name="lineage_json",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/v<int:number>/contribute/",
        contributions.contribute,
        name="contribute",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/contributions/",
        contributions.contribution_list,
        name="contributions",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/contributions/<int:pk>/",
        contributions.contribution_page,
        name="contribution",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/contributions/<int:pk>/revise/",
        contributions.revise,
        name="contribution_revise",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/upstream/",
        upstream.upstream_page,
        name="upstream",
    ),
    path(
        "i/<slug:institution>/<slug:resource>/upstream/<int:source>/",
        upstream.upstream_pull,
        name="upstream_pull",
    ),
]

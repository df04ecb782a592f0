"""Reports, takedowns, restorations and dismissals: the rules, the log, and bad input refused."""

import pytest

from repository.access import require_in_circulation
from repository.actions.forks import fork_version
from repository.actions.moderation import (
    DETAILS_MAX_CHARS,
    dismiss_report,
    report_version,
    restore_version,
    source_key,
    take_down_version,
)
from repository.actions.publishing import withdraw_version
from repository.actions.validation import rerun_validation
from repository.errors import DomainError, InvalidTransition, PermissionRefused, RateLimited
from repository.models import AdminAction, Report, Version

DETAILS = (
    "Les fichiers « sprites/ » copient l'œuvre de Zoë Ortega (CC BY-NC-ND): https://example.org/zoë"
)


def report(version: Version, **fields) -> Report:
    values = {"category": Report.Category.COPYRIGHT, "details": DETAILS, "source": "k" * 64}
    return report_version(version, **(values | fields))


def test_anyone_reports_a_public_version_and_nothing_about_them_is_kept(published):
    made = report(published, source=source_key("203.0.113.9"))
    assert made.state == Report.State.OPEN and made.details == DETAILS
    assert "203.0.113.9" not in made.source_key and len(made.source_key) == 64


def test_the_source_key_changes_with_the_day():
    from datetime import UTC, datetime, timedelta

    today = datetime(2026, 12, 2, 9, tzinfo=UTC)
    assert source_key("203.0.113.9", now=today) == source_key("203.0.113.9", now=today)
    assert source_key("203.0.113.9", now=today) != source_key(
        "203.0.113.9", now=today + timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"category": "", "details": DETAILS}, "Choose what is wrong"),
        ({"category": "boring", "details": DETAILS}, "Choose what is wrong"),
        ({"details": "   \n "}, "Say what is wrong"),
        ({"details": "x" * (DETAILS_MAX_CHARS + 1)}, f"the most is {DETAILS_MAX_CHARS}"),
    ],
)
def test_bad_reports_are_refused_saying_what_to_fix_and_store_nothing(published, fields, said):
    with pytest.raises(DomainError, match=said):
        report(published, **fields)
    assert not Report.objects.exists()


def test_a_version_that_is_not_public_cannot_be_reported(package, northfield, staff):
    from repository.actions.deposits import deposit_package

    draft = deposit_package(package=package, institution=northfield, by=staff)
    with pytest.raises(DomainError, match="not public"):
        report(draft)
    assert not Report.objects.exists()


def test_one_source_is_throttled_with_a_time_to_try_again(published, settings):
    settings.REPORTS_PER_HOUR = 2
    report(published)
    report(published)
    with pytest.raises(RateLimited, match="try again in") as refused:
        report(published)
    assert refused.value.retry_after > 0
    report(published, source="other" * 8)  # someone else is not held up
    assert Report.objects.count() == 3


def test_take_down_hides_it_upholds_its_reports_and_is_logged(published, site_admin):
    first, second = report(published), report(published, category=Report.Category.HARMFUL)
    take_down_version(published, by=site_admin, reason="Copies Zoë Ortega's sprites.")
    published.refresh_from_db()
    published.resource.refresh_from_db()
    assert published.state == Version.State.TAKEN_DOWN
    assert published.state_before_takedown == Version.State.PUBLISHED
    assert published.takedown_reason == "Copies Zoë Ortega's sprites."
    assert not Version.objects.public().filter(pk=published.pk).exists()
    assert published.resource.latest_published is None
    assert set(Report.objects.values_list("state", flat=True)) == {Report.State.UPHELD}
    assert first.pk != second.pk
    [logged] = AdminAction.objects.all()
    assert (logged.kind, logged.actor, logged.version, logged.actor_name) == (
        AdminAction.Kind.TAKE_DOWN,
        site_admin,
        published,
        "Morgan",
    )
    assert published.files.count() > 0  # nothing deposited is deleted


def test_restore_puts_back_the_state_it_had_withdrawn_included(published, staff, site_admin):
    withdraw_version(published, by=staff, reason="Wording under review.")
    take_down_version(published, by=site_admin, reason="Reported as harmful.")
    restore_version(published, by=site_admin, reason="The report was mistaken.")
    published.refresh_from_db()
    assert published.state == Version.State.WITHDRAWN
    assert published.withdrawal_reason == "Wording under review."
    assert published.takedown_reason == "" and published.taken_down_at is None
    kinds = list(AdminAction.objects.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        AdminAction.Kind.WITHDRAW,
        AdminAction.Kind.TAKE_DOWN,
        AdminAction.Kind.RESTORE,
    ]


def test_restoring_a_published_version_points_its_resource_at_it_again(published, site_admin):
    take_down_version(published, by=site_admin, reason="Reported.")
    restore_version(published, by=site_admin, reason="Cleared.")
    published.resource.refresh_from_db()
    assert published.resource.latest_published_id == published.pk


@pytest.mark.parametrize("who", ["staff", "admin", "outsider"])
def test_only_site_admins_moderate(request, published, who):
    person = request.getfixturevalue(who)
    made = report(published)
    for act in (
        lambda: take_down_version(published, by=person, reason="no"),
        lambda: restore_version(published, by=person, reason="no"),
        lambda: dismiss_report(made, by=person, reason="no"),
    ):
        with pytest.raises(PermissionRefused, match="Only the site's admins"):
            act()
    published.refresh_from_db()
    made.refresh_from_db()
    assert published.state == Version.State.PUBLISHED and made.state == Report.State.OPEN
    assert not AdminAction.objects.exists()


def test_moderation_needs_a_reason_and_the_right_state(published, site_admin):
    made = report(published)
    with pytest.raises(DomainError, match="Say why you take it down"):
        take_down_version(published, by=site_admin, reason="  ")
    with pytest.raises(InvalidTransition, match="not taken down"):
        restore_version(published, by=site_admin, reason="why not")
    with pytest.raises(DomainError, match="Say why you dismiss it"):
        dismiss_report(made, by=site_admin, reason="")
    take_down_version(published, by=site_admin, reason="Reported.")
    with pytest.raises(InvalidTransition, match="not public"):
        take_down_version(published, by=site_admin, reason="again")
    with pytest.raises(DomainError, match="already taken down"):
        report(published)
    assert AdminAction.objects.count() == 1


def test_dismissing_closes_one_report_once_and_leaves_the_version(published, site_admin):
    made = report(published)
    dismiss_report(made, by=site_admin, reason="Its licence allows this copy.")
    made.refresh_from_db()
    published.refresh_from_db()
    assert made.state == Report.State.DISMISSED and published.state == Version.State.PUBLISHED
    with pytest.raises(InvalidTransition, match="already closed"):
        dismiss_report(made, by=site_admin, reason="again")
    [logged] = AdminAction.objects.all()
    assert logged.report == made and logged.reason == "Its licence allows this copy."


def test_nothing_is_built_on_a_taken_down_version(published, site_admin, northfield, staff):
    take_down_version(published, by=site_admin, reason="Malicious code in lib/track.js.")
    published.refresh_from_db()
    with pytest.raises(PermissionRefused, match="taken down by the site's moderators"):
        require_in_circulation(published)
    with pytest.raises(PermissionRefused, match="taken down"):  # even by its own staff
        fork_version(published, into=northfield, by=staff)


def test_a_rerun_keeps_the_takedown_and_is_logged(published, site_admin, staff):
    take_down_version(published, by=site_admin, reason="Reported.")
    published.refresh_from_db()
    rerun_validation(published, by=staff)
    published.refresh_from_db()
    assert published.state == Version.State.TAKEN_DOWN
    assert AdminAction.objects.filter(
        kind=AdminAction.Kind.RERUN_VALIDATION, actor=staff, version=published
    ).exists()

"""E-mail notifications go out after commit, to the right people."""

import pytest
from django.core import mail

from repository.actions import contributions as c
from repository.actions.forks import fork_version
from repository.actions.notifications import notify_source_updated, notify_validation_finished
from repository.actions.validation import validate_version
from repository.errors import InvalidTransition
from tests.factories import tool_files
from tests.repository.remixing import published


@pytest.fixture
def base(tmp_path, northfield, staff, admin):
    return published(tmp_path, northfield, staff)


def test_contribution_life_cycle_mails(
    base, student, staff, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = c.propose_contribution(
            base=base, by=student, description="Typo", edits={"a.txt": b"a"}
        )
    assert sorted(m.to[0] for m in mail.outbox) == [admin.email, staff.email]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c.comment_on_contribution(proposal, by=staff, body="Thanks")
    assert [m.to for m in mail.outbox] == [[student.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c.approve_contribution(proposal, by=staff)
        c.merge_contribution(proposal, by=staff)
    subjects = [m.subject for m in mail.outbox if m.to == [student.email]]
    assert any("approved" in s for s in subjects) and any("was merged" in s for s in subjects)


def test_rejection_is_mailed_and_a_refusal_mails_nothing(
    base, student, staff, django_capture_on_commit_callbacks
):
    proposal = c.propose_contribution(base=base, by=student, description="x", edits={"a.txt": b"a"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c.reject_contribution(proposal, by=staff, body="No")
    assert "rejected" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        c.reject_contribution(proposal, by=staff)
    assert mail.outbox == []


def test_source_update_tells_the_owner_of_the_fork(
    tmp_path, base, staff, southbank, outsider, django_capture_on_commit_callbacks
):
    fork_version(base, into=southbank, by=outsider)
    v2 = published(
        tmp_path,
        base.resource.institution,
        staff,
        resource=base.resource,
        files=tool_files(**{"n.txt": b"n"}),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify_source_updated(v2)
    assert [m.to for m in mail.outbox] == [[outsider.email]]
    assert "/upstream/" in mail.outbox[0].body


def test_validation_finished_tells_the_depositor(base, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_validation_finished(base.validation_runs.get())
    assert mail.outbox[-1].to == [staff.email] and "passed" in mail.outbox[-1].subject
    assert validate_version(base.pk) is None  # already done: nothing re-runs

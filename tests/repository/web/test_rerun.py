"""The version page's re-run button: staff confirm, a new run starts, earlier runs are listed."""

from repository.actions.validation import validate_version
from repository.models import Version
from tests.repository.web.pages import version_url


def test_staff_confirm_a_rerun_and_the_page_lists_the_earlier_run(client, staff, published):
    client.force_login(staff)
    page = client.get(version_url(published)).content.decode()
    assert 'id="rerun-validation"' in page
    confirm = client.get(version_url(published, "version_rerun"))
    assert confirm.status_code == 200
    assert "the earlier runs stay" in confirm.content.decode()
    assert published.validation_runs.count() == 1  # a GET changes nothing
    response = client.post(version_url(published, "version_rerun"))
    assert response.status_code == 302
    validate_version(published.pk, revalidate=True)
    page = client.get(version_url(published)).content.decode()
    assert "re-run by staff" in page
    assert 'id="earlier-runs"' in page
    published.refresh_from_db()
    assert published.state == Version.State.PUBLISHED


def test_students_and_visitors_get_no_rerun(client, student, published):
    assert 'id="rerun-validation"' not in client.get(version_url(published)).content.decode()
    client.force_login(student)
    assert 'id="rerun-validation"' not in client.get(version_url(published)).content.decode()
    assert client.post(version_url(published, "version_rerun")).status_code == 404
    assert published.validation_runs.count() == 1

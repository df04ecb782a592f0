"""The deposit form and the manifest schema it points to."""

from django.urls import reverse

from repository.models import Version
from tests.packages import h5p_package


def test_deposit_form_creates_a_version(client, staff, northfield, package):
    client.force_login(staff)
    with package.open("rb") as upload:
        response = client.post(
            reverse("deposit"),
            {"institution": northfield.pk, "package": upload, "publish_on_pass": "on"},
        )
    version = Version.objects.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()


def test_deposit_form_shows_the_refusal(client, staff, northfield, tmp_path):
    client.force_login(staff)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with bad.open("rb") as upload:
        response = client.post(
            reverse("deposit"), {"institution": northfield.pk, "package": upload}
        )
    assert response.status_code == 200
    assert "not a zip file" in response.content.decode()
    assert Version.objects.count() == 0


def test_manifest_schema_is_served(client):
    response = client.get(reverse("manifest_schema"))
    assert b"remixbank.json" in b"".join(response.streaming_content)


def test_deposit_form_takes_an_h5p_file(client, staff, northfield, tmp_path):
    client.force_login(staff)
    with h5p_package(tmp_path / "quiz.h5p").open("rb") as upload:
        response = client.post(
            reverse("deposit"), {"institution": northfield.pk, "package": upload}
        )
    version = Version.objects.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert version.manifest["package"]["format"] == "h5p"
    page = client.get(version.get_absolute_url()).content.decode()
    assert ".remixbank/h5p/index.html" in page  # the try-it frame opens the player


def test_deposit_form_shows_which_h5p_libraries_are_missing(client, staff, northfield, tmp_path):
    client.force_login(staff)
    package = h5p_package(tmp_path / "quiz.h5p", drop=["H5P.RemixbankQuiz-1.0/"])
    with package.open("rb") as upload:
        response = client.post(
            reverse("deposit"), {"institution": northfield.pk, "package": upload}
        )
    assert response.status_code == 200
    assert "H5P.RemixbankQuiz-1.0 (needed by h5p.json)" in response.content.decode()
    assert Version.objects.count() == 0

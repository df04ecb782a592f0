"""Abuse handling on the site: "Report this", the moderation queue, and a takedown seen everywhere."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from repository.actions.moderation import take_down_version
from repository.models import AdminAction, Report, Version
from repository.validation import origins
from tests.repository.web.test_content import get


@pytest.fixture
def site_admin(db):
    return get_user_model().objects.create_user(
        "moderator@remixbank.example", email="moderator@remixbank.example", is_staff=True
    )


def report_url(version: Version) -> str:
    r = version.resource
    return reverse("version_report", args=[r.institution.slug, r.slug, version.number])


def send_report(client, version: Version, **fields):
    data = {"category": "copyright", "details": "Copie l'œuvre de Zoë Ortega, sans crédit."}
    return client.post(report_url(version), data | fields, REMOTE_ADDR="198.51.100.7")


def test_every_public_version_page_links_to_a_report_form_anyone_can_send(client, published):
    page = client.get(published.get_absolute_url()).content.decode()
    assert report_url(published) in page and "Report this" in page
    form = client.get(report_url(published)).content.decode()
    assert 'name="category"' in form and 'name="details"' in form
    response = send_report(client, published)
    assert response.status_code == 302
    [made] = Report.objects.all()
    assert made.version == published and "Zoë" in made.details
    assert "198.51.100.7" not in made.source_key
    thanked = client.get(response["Location"]).content.decode()
    assert "your report was sent" in thanked


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"category": "", "details": ""}, "Choose what is wrong"),
        ({"details": " "}, "Say what is wrong"),
        ({"details": "é" * 5001}, "the most is 5000"),
    ],
)
def test_a_bad_report_is_shown_again_with_what_to_fix(client, published, fields, said):
    response = send_report(client, published, **fields)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not Report.objects.exists()


def test_too_many_reports_from_one_address_are_refused(client, published, settings):
    settings.REPORTS_PER_HOUR = 1
    send_report(client, published)
    response = send_report(client, published)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "try again in" in response.content.decode()
    assert Report.objects.count() == 1


def test_behind_the_proxy_each_visitor_has_their_own_report_allowance(client, published, settings):
    """All requests arrive from nginx's address; one visitor's flood must not silence others."""
    settings.REPORTS_PER_HOUR = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    data = {"category": "copyright", "details": "Copie l'œuvre de Zoë Ortega, sans crédit."}
    for visitor in ("198.51.100.7", "203.0.113.9"):
        response = client.post(
            report_url(published), data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=visitor
        )
        assert response.status_code == 302, response.content
    again = client.post(
        report_url(published), data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert again.status_code == 429
    assert Report.objects.count() == 2


def test_reporting_a_missing_or_taken_down_version_says_so(client, published, site_admin):
    r = published.resource
    missing = reverse("version_report", args=[r.institution.slug, r.slug, 99])
    response = client.post(missing, {"category": "spam", "details": "spam"})
    assert response.status_code == 404
    assert "There is no public version at" in response.content.decode()
    take_down_version(published, by=site_admin, reason="Copies someone's work.")
    response = send_report(client, published)
    assert response.status_code == 410
    assert "was taken down" in response.content.decode()
    assert not Report.objects.exists()


def test_the_queue_refuses_everyone_but_site_admins_and_changes_nothing(
    client, published, admin, staff
):
    made = Report.objects.create(version=published, category="spam", details="Advert")
    for person in (None, admin, staff):
        if person:
            client.force_login(person)
        for url in (reverse("moderation"), reverse("moderation_log")):
            response = client.get(url)
            assert response.status_code == 403
            assert "Only the site's admins" in response.content.decode()
        response = client.post(
            reverse("moderation_take_down", args=[published.pk]), {"reason": "mine"}
        )
        assert response.status_code == 403
        client.post(reverse("moderation_dismiss", args=[made.pk]), {"reason": "mine"})
    published.refresh_from_db()
    made.refresh_from_db()
    assert published.state == Version.State.PUBLISHED and made.state == Report.State.OPEN
    assert not AdminAction.objects.exists()


def test_the_queue_groups_open_reports_by_version_and_takes_one_down(client, published, site_admin):
    send_report(client, published)
    send_report(client, published, category="harmful", details="Shows a pupil's full name.")
    client.force_login(site_admin)
    queue = client.get(reverse("moderation")).content.decode()
    assert queue.count(f'id="reported-{published.pk}"') == 1
    assert "2 open reports" in queue and "Shows a pupil&#x27;s full name." in queue
    response = client.post(
        reverse("moderation_take_down", args=[published.pk]), {"reason": ""}, follow=True
    )
    assert "Say why you take it down" in response.content.decode()
    client.post(
        reverse("moderation_take_down", args=[published.pk]),
        {"reason": "Shows a pupil's full name."},
    )
    published.refresh_from_db()
    assert published.state == Version.State.TAKEN_DOWN
    log = client.get(reverse("moderation_log")).content.decode()
    assert "Took down" in log and "Shows a pupil&#x27;s full name." in log


def test_a_taken_down_version_answers_410_with_the_reason_everywhere_but_its_institution(
    client, published, site_admin, staff
):
    take_down_version(published, by=site_admin, reason="Malicious code in tracker.js.")
    r = published.resource
    pages = [
        published.get_absolute_url(),
        r.get_absolute_url(),
        reverse("version_download", args=[r.institution.slug, r.slug, 1]),
        reverse("version_cartridge", args=[r.institution.slug, r.slug, 1]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 410, url
        html = response.content.decode()
        assert "Malicious code in tracker.js." in html and "application/ld+json" not in html
    api = client.get(f"/api/v1/versions/{published.pk}/")
    assert api.status_code == 410 and api.json()["error"]["code"] == "taken_down"
    assert "Malicious code" in api.json()["error"]["message"]
    assert "Counter" not in client.get(reverse("home"), {"q": "counter"}).content.decode()
    assert r.get_absolute_url() not in client.get("/sitemap-versions.xml").content.decode()

    client.force_login(staff)
    own = client.get(published.get_absolute_url())
    html = own.content.decode()
    assert own.status_code == 200 and "This version was taken down by the site's admins" in html
    assert "Report this" not in html and "data-try-src" not in html
    listed = client.get(reverse("version_file", args=[r.institution.slug, r.slug, 1, "index.html"]))
    assert listed.status_code == 200  # its files, on the main site, for its institution


def test_the_content_origin_serves_a_taken_down_version_neither_public_nor_preview(
    client, published, site_admin
):
    public_url = origins.url_of(published)
    preview_url = f"{origins.origin_of(published, preview=True)}/index.html"
    assert get(client, public_url)[0].status_code == 200
    take_down_version(published, by=site_admin, reason="Phishing form.")
    for url in (public_url, preview_url):
        response, body = get(client, url)
        assert response.status_code == 404, url
        assert body.startswith(b"This version") and b"index.html" not in body


def test_restoring_from_the_queue_brings_it_back(client, published, site_admin):
    take_down_version(published, by=site_admin, reason="Reported.")
    client.force_login(site_admin)
    queue = client.get(reverse("moderation")).content.decode()
    assert f'id="taken-down-{published.pk}"' in queue
    client.post(reverse("moderation_restore", args=[published.pk]), {"reason": "Cleared."})
    client.logout()
    assert client.get(published.get_absolute_url()).status_code == 200


def test_anyone_reports_through_the_api_without_signing_in(client, published, site_admin):
    url = f"/api/v1/versions/{published.pk}/reports/"
    empty = client.post(url, {}, content_type="application/json")
    assert empty.status_code == 400 and "Choose what is wrong" in empty.json()["error"]["message"]
    made = client.post(
        url, {"category": "malicious", "details": "Sends keystrokes away."}, "application/json"
    )
    assert made.status_code == 201 and made.json()["state"] == "open"
    take_down_version(published, by=site_admin, reason="Keylogger.")
    again = client.post(url, {"category": "malicious", "details": "x"}, "application/json")
    assert again.status_code == 410
    assert (
        client.post("/api/v1/versions/999999/reports/", {}, "application/json").status_code == 404
    )
    assert Report.objects.count() == 1


def test_django_admin_shows_reports_and_the_log_but_never_edits_the_log(client, published):
    root = get_user_model().objects.create_superuser(
        "root@remixbank.example", "root@remixbank.example"
    )
    made = Report.objects.create(version=published, category="spam", details="Advert")
    client.force_login(root)
    assert client.get("/admin/repository/report/").status_code == 200
    assert client.get(f"/admin/repository/report/{made.pk}/change/").status_code == 200
    assert client.get("/admin/repository/adminaction/").status_code == 200
    assert client.get("/admin/repository/adminaction/add/").status_code == 403


def test_a_collection_stops_serving_a_taken_down_work_it_holds(
    client, tmp_path, northfield, southbank, staff, outsider, site_admin
):
    """The collection holds the work's files byte for byte under its folder; none leave."""
    import io
    import zipfile

    from repository.actions.publishing import publish_version
    from repository.actions.remixes import collect_versions
    from repository.models import CollectionItem
    from tests.repository.remixing import published as publish_tool
    from tests.repository.remixing import validated

    optics = publish_tool(tmp_path, northfield, staff, title="Optics bench")
    copied = publish_tool(tmp_path, southbank, outsider, title="Lentilles de Zoë")
    kit = validated(
        collect_versions(sources=[optics, copied], into=northfield, by=staff, title="Kit")
    )
    if kit.state != Version.State.PUBLISHED:
        kit = publish_version(kit, by=staff)
    assert kit.state == Version.State.PUBLISHED
    folders = dict(CollectionItem.objects.filter(collection=kit).values_list("item", "folder"))
    shown = f"{folders[copied.pk]}/index.html"
    kept = f"{folders[optics.pk]}/index.html"
    assert get(client, origins.url_of(kit, shown))[0].status_code == 200

    take_down_version(copied, by=site_admin, reason="Copies someone's work.")
    response, body = get(client, origins.url_of(kit, shown))
    assert response.status_code == 404, body
    assert get(client, origins.url_of(kit, kept))[0].status_code == 200
    listing = client.get(f"/api/v1/versions/{kit.pk}/files/")
    assert listing.status_code == 200, listing.content
    paths = [f["path"] for f in listing.json()]
    assert kept in paths and not [p for p in paths if p.startswith(folders[copied.pk] + "/")]
    assert client.get(f"/api/v1/versions/{kit.pk}/files/{shown}").status_code == 404
    r = kit.resource
    download = client.get(
        reverse("version_download", args=[r.institution.slug, r.slug, kit.number])
    )
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert kept in names and not [n for n in names if n.startswith(folders[copied.pk] + "/")]

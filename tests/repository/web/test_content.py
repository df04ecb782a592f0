"""The content origin: deposited files served sandboxed there, and never from the main origin."""


def test_content_origin_serves_published_files_sandboxed(client, published, settings):
    response = client.get(f"/v/{published.pk}/index.html", HTTP_HOST=settings.CONTENT_HOST)
    assert b"".join(response.streaming_content).startswith(b"<!doctype html>")
    response.close()  # ends the request, as a server does, resetting the content origin's URLs
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_content_is_not_served_from_the_main_origin(client, published):
    assert client.get(f"/v/{published.pk}/index.html").status_code == 404


def test_content_origin_serves_nothing_of_the_main_site(client, settings):
    assert client.get("/admin/", HTTP_HOST=settings.CONTENT_HOST).status_code == 404

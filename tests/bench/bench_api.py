"""API list and search speed in-process, beside a naive ModelViewSet and a trivial view (the ceiling).

Runs against a fresh test database (SQLite by default; PostgreSQL when DATABASE_URL points at
one) filled with BENCH_API_RESOURCES published resources (default 5,000). Single client,
in-process (django.test.Client), so figures are CPU per request without HTTP; throttling off.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
# Never touch the shared development data folder (its test database may be in use).
os.environ.setdefault("REMIXBANK_DATA_DIR", tempfile.mkdtemp(prefix="bench-api-"))

urlpatterns: list[Any] = []


def build_urls() -> list[Any]:
    from django.http import HttpResponse
    from django.urls import include, path
    from rest_framework import pagination, serializers, viewsets

    from repository.models import Resource

    class NaiveSerializer(serializers.ModelSerializer):
        institution: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
            slug_field="slug", read_only=True
        )

        class Meta:
            model = Resource
            fields = [
                "id", "institution", "slug", "kind", "title", "summary",
                "subjects", "level", "language", "created_at", "latest_published",
            ]  # fmt: skip

    class NaivePages(pagination.PageNumberPagination):
        page_size = 20

    class NaiveViewSet(viewsets.ModelViewSet):
        queryset = Resource.objects.filter(latest_published__isnull=False).order_by("-created_at")
        serializer_class = NaiveSerializer
        pagination_class = NaivePages
        authentication_classes: list[Any] = []
        permission_classes: list[Any] = []

    return [
        path("bench/hello", lambda request: HttpResponse("ok")),
        path("bench/naive/", NaiveViewSet.as_view({"get": "list"})),
        path("", include("deploy.urls")),
    ]


def fill(count: int) -> None:
    from django.core.management import call_command

    call_command("generate_resources", count=count)


def measure(call: Callable[[], Any], seconds: float = 2.0) -> tuple[float, float, float]:
    """Return requests/s, p50 ms and p95 ms over about `seconds` after a warm-up."""
    for _ in range(5):
        call()
    times = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    quantiles = statistics.quantiles(times, n=20)
    return len(times) / sum(times), 1000 * statistics.median(times), 1000 * quantiles[18]


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    global urlpatterns
    count = int(os.environ.get("BENCH_API_RESOURCES", "5000"))
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        fill(count)
        print(
            f"{connection.vendor}: {count:,} published resources in {time.perf_counter() - started:.1f} s"
        )
        urlpatterns = build_urls()
        rates = {"api.read": None, "api.write": None}
        rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        with override_settings(ROOT_URLCONF=__name__, REST_FRAMEWORK=rest):
            client = Client()
            cases = {
                "trivial view (ceiling)": "/bench/hello",
                "naive ModelViewSet list, 20": "/bench/naive/",
                "API resources list, 20": "/api/v1/resources/",
                "API resources list, 100": "/api/v1/resources/?page_size=100",
                "API search q=orbit, 20": "/api/v1/resources/?q=orbit",
                "API versions list, 20": "/api/v1/versions/",
            }
            figures = {}
            for name, url in cases.items():
                assert client.get(url).status_code == 200, url
                rps, p50, p95 = measure(partial(client.get, url))
                figures[name] = rps
                print(f"{name:<30} {rps:7.0f} req/s  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
            ratio = figures["API resources list, 20"] / figures["naive ModelViewSet list, 20"]
            print(f"API list / naive list throughput: {ratio:.2f}x (goal >= 1.5x)")
            for size in (10, 100):
                with CaptureQueriesContext(connection) as queries:
                    client.get(f"/api/v1/resources/?page_size={size}")
                print(f"queries per API list request, page size {size}: {len(queries)}")
            with CaptureQueriesContext(connection) as queries:
                client.get("/bench/naive/")
            print(f"queries per naive list request, page size 20: {len(queries)}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

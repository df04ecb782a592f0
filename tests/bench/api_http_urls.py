"""The project's URLs plus the benchmark's baselines (a trivial view and a naive viewset)."""

from tests.bench.bench_api import build_urls

urlpatterns = build_urls()

"""Serving a version's files on its origin: the cost of naming each text file's charset.

Text files are read whole before their headers go out (to tell UTF-8 from what it is not);
other files stream. The baseline, measured in the same run, is the same bytes under a binary
name (`.bin`), which take the same path through the site (middleware, origin check, queries)
and stream with no charset. Figures are per request through Django's handler (no network),
p50 over the repeats, and the text/baseline ratio.
"""

import statistics
import time
from collections.abc import Callable

from tests.bench.django_env import setup_django

REPEATS = 30
SIZES = [("4KB", 4 << 10), ("256KB", 256 << 10), ("4MB", 4 << 20)]


def main() -> None:
    setup_django()
    from django.http import StreamingHttpResponse
    from django.test import Client

    from repository.validation import origins
    from tests.factories import stored_version

    line = "const mots = ['élève', 'Straße', '中文'];\n".encode()
    files = {"index.html": b"<!doctype html><title>bench</title><p>bench</p>"}
    for label, size in SIZES:
        body = (line * (size // len(line) + 1))[:size]
        files[f"js/bulk-{label}.js"] = files[f"data/bulk-{label}.bin"] = body
    version = stored_version(files)
    host = origins.origin_of(version).split("//", 1)[1]
    client = Client()

    def get(path: str) -> None:
        response = client.get("/" + path, HTTP_HOST=host)
        assert response.status_code == 200, (path, response.status_code)
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)
            response.close()
        else:
            _ = response.content

    def p50(call: Callable[[str], None], path: str) -> float:
        call(path)  # warm
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            call(path)
            timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1000

    print(f"{'size':>6} {'binary (baseline) ms':>21} {'text + charset ms':>18} {'ratio':>6}")
    for label, _ in SIZES:
        binary = p50(get, f"data/bulk-{label}.bin")
        text = p50(get, f"js/bulk-{label}.js")
        print(f"{label:>6} {binary:>21.2f} {text:>18.2f} {text / binary:>6.2f}")

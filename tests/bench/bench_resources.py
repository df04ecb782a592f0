"""How fast the content step reads a real tool: the 190-file explorable of the content-step tests
plus a 1 MB minified library, scanned for what it loads and links to.

Two baselines run beside it in the same process, so the ratios carry across machines: reading
the same bytes and decoding them (the least any scan must do), and the regular expression the
content step used before (which could not tell a hyperlink from a load, nor skip comments).
"""

import re
import statistics
import time
from collections.abc import Callable

from repository.validation.resources import scan_files

OLD_REGEX = re.compile(
    r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)|@import\s+(?:url\()?\s*["']?((?:https?:)?//[^"')\s;]+)|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)


def minified_library(size: int = 1 << 20) -> bytes:
    """A library-like script: short names, divisions, regexes, strings, no newlines."""
    chunk = (
        "function a(b,c){var d=b/c,e=/[a-z]+\\/x/g;return d>1?\"left\":'right'}"
        'var f={u:"https://docs.example.org/api",g:function(h){return h*2/3}};'
    )
    return (chunk * (size // len(chunk) + 1)).encode()[:size]


def package() -> list[tuple[str, int, bytes]]:
    from tests.bench.django_env import setup_django

    setup_django()  # the tool's builder lives beside the content-step tests, which use Django
    from tests.repository.validation.test_steps import realistic_tool

    files = realistic_tool()
    files["js/vendor/big.min.js"] = minified_library()
    return [(path, len(data), data) for path, data in files.items()]


def median_seconds(call: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    files = package()
    total = sum(size for _, size, _ in files)
    suffixes = (".html", ".htm", ".css", ".svg")

    def read_only() -> int:
        return sum(len(data.decode("utf-8", "replace")) for _, _, data in files)

    def old_regex() -> int:
        return sum(
            len(OLD_REGEX.findall(data.decode("utf-8", "replace")))
            for path, _, data in files
            if path.endswith(suffixes)
        )

    def scanner() -> int:
        return len(scan_files(files, limit=4 << 20).references)

    base = median_seconds(read_only)
    old = median_seconds(old_regex)
    new = median_seconds(scanner)
    print(f"package: {len(files)} files, {total / 1e6:.2f} MB (one 1 MB minified library)")
    print(f"read + decode (baseline): {base * 1000:8.1f} ms")
    print(f"old regex (HTML/CSS/SVG only): {old * 1000:8.1f} ms  ({old / base:5.1f}x baseline)")
    print(
        f"resources.scan_files (HTML/CSS/SVG/JS): {new * 1000:8.1f} ms  ({new / base:5.1f}x baseline)"
    )
    print(f"references found: {scanner()} (old regex matched {old_regex()})")
    tool_only = [f for f in files if f[0] != "js/vendor/big.min.js"]
    alone = median_seconds(lambda: scan_files(tool_only, limit=4 << 20))
    print(
        f"the 190 files without the library: {alone * 1000:8.1f} ms  ({alone / base:5.1f}x baseline)"
    )
    print(f"throughput on the whole package: {total / 1e6 / new:.2f} MB/s")

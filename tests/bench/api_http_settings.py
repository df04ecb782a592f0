"""Settings for the HTTP API benchmark: the project's, plus the baseline views' URLs."""

from deploy.settings import *  # noqa: F403 - the benchmark serves the project as it is

ROOT_URLCONF = "tests.bench.api_http_urls"

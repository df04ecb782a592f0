"""A published tool with many files and non-ASCII text, and the browsers that use it."""

import pytest

from repository.actions import usage
from repository.actions.deposits import deposit_package
from tests.factories import build_zip, features_manifest, features_tool_files, validated

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(autouse=True)
def fresh_salt_cache():
    """The process keeps the day's salt; each test's database (rolled back) starts without one."""
    usage._salts.clear()


@pytest.fixture
def tool(tmp_path, northfield, staff):
    package = build_zip(
        tmp_path / "atelier.zip", features_tool_files(), manifest_data=features_manifest()
    )
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    assert version.state == version.State.PUBLISHED
    return version

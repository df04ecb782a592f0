"""Collections of unmodified works (CC FAQ, "If I create a collection ...": collection chart)."""

import pytest

from licensing import UnknownLicence, collection_notices


def test_nd_works_may_sit_in_a_collection() -> None:
    # CC FAQ collection chart: BY-ND items are "yes" for commercial collections; BOOK p. 81.
    result = collection_notices(["CC-BY-ND-4.0", "CC-BY-SA-4.0"], collection_license="CC-BY-4.0")
    assert result.allowed and not result.non_commercial and result.reason is None
    assert any("NoDerivatives works are included unchanged" in n for n in result.notices)


def test_each_part_keeps_its_licence() -> None:
    result = collection_notices(["CC-BY-SA-3.0", "CC0-1.0"], titles=["Orbit", "Stars"])
    assert "keeps its own licence" in result.notices[0]
    assert any(n.startswith("'Orbit' is licensed under CC BY-SA 3.0") for n in result.notices)
    assert any(n.startswith("'Stars' is marked CC0 1.0") for n in result.notices)
    assert [p.id for p in result.parts] == ["CC-BY-SA-3.0", "CC0-1.0"]


@pytest.mark.parametrize("nc", ["CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"])
def test_nc_parts_make_the_collection_non_commercial(nc: str) -> None:
    # CC FAQ collection chart: NC items "no" in commercial collections, "yes" in NC ones.
    assert collection_notices(["CC-BY-4.0", nc]).non_commercial
    assert collection_notices(["CC-BY-4.0", nc], collection_license="CC-BY-NC-SA-4.0").allowed
    refused = collection_notices(["CC-BY-4.0", nc], collection_license="CC-BY-SA-4.0")
    assert not refused.allowed
    assert "NonCommercial" in (refused.reason or "")


def test_cc0_collection_with_nc_parts_is_refused() -> None:
    # The FAQ chart has no CC0 column; CC0 allows commercial use, so we treat it as commercial.
    assert not collection_notices(["CC-BY-NC-4.0"], collection_license="CC0-1.0").allowed


def test_the_public_domain_mark_cannot_license_a_collection() -> None:
    result = collection_notices(["CC-BY-4.0"], collection_license="CC-PDM-1.0")
    assert not result.allowed and "Public Domain Mark" in (result.reason or "")


def test_an_empty_collection_is_not_a_collection() -> None:
    assert not collection_notices([]).allowed


def test_collection_errors() -> None:
    with pytest.raises(UnknownLicence):
        collection_notices(["CC-BY-9.0"])
    with pytest.raises(ValueError, match="one title per part"):
        collection_notices(["CC-BY-4.0"], titles=[])


def test_a_refused_collection_licence_says_what_to_choose() -> None:
    reason = collection_notices(["CC-BY-4.0"], collection_license="CC-PDM-1.0").reason
    assert reason is not None and "Choose CC0 1.0" in reason
    nc = collection_notices(["CC-BY-NC-4.0", "MIT"], collection_license="CC-BY-4.0").reason
    assert nc is not None and "such as CC BY-NC 4.0" in nc

"""The licence catalogue: ids, names, URLs, properties and the unknown-id error."""

import pytest

from licensing import License, UnknownLicence, all_licenses, get_license, is_known, license_for_url

# Source: spdx/license-list-XML src/*.xml, as listed in notes §1.3.
SPDX_IDS = [
    *(
        f"CC-{unit}-{version}"
        for unit in ["BY", "BY-SA", "BY-NC", "BY-NC-SA", "BY-ND", "BY-NC-ND"]
        for version in ["1.0", "2.0", "2.5", "3.0", "4.0"]
    ),
    "CC0-1.0",
    "CC-PDM-1.0",
    "CC-BY-2.5-AU",
    *(f"CC-BY-3.0-{port}" for port in ["AT", "AU", "DE", "IGO", "NL", "US"]),
    "CC-BY-SA-2.0-UK",
    "CC-BY-SA-2.1-JP",
    *(f"CC-BY-SA-3.0-{port}" for port in ["AT", "DE", "IGO"]),
    "CC-BY-NC-3.0-DE",
    "CC-BY-NC-3.0-IGO",
    *(f"CC-BY-NC-SA-2.0-{port}" for port in ["DE", "FR", "UK"]),
    "CC-BY-NC-SA-3.0-DE",
    "CC-BY-NC-SA-3.0-IGO",
    "CC-BY-ND-3.0-DE",
    "CC-BY-NC-ND-3.0-DE",
    "CC-BY-NC-ND-3.0-IGO",
    "LAL-1.3",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
]


@pytest.mark.parametrize("license_id", SPDX_IDS)
def test_every_spdx_id_from_the_notes_is_known(license_id: str) -> None:
    assert is_known(license_id)
    assert get_license(license_id).id == license_id


def test_ids_are_unique_and_the_order_is_stable() -> None:
    ids = [lic.id for lic in all_licenses()]
    assert len(ids) == len(set(ids))
    assert ids == [lic.id for lic in all_licenses()]
    assert ids[:3] == ["CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0"]


def test_ports_without_spdx_ids_use_licenseref_ids() -> None:
    lic = get_license("LicenseRef-CC-BY-SA-3.0-US")
    assert lic.port == "US"
    assert lic.deed_url == "https://creativecommons.org/licenses/by-sa/3.0/us/"
    assert not is_known("CC-BY-SA-3.0-US")


def test_a_4_0_licence_has_the_names_and_urls_cc_uses() -> None:
    lic = get_license("CC-BY-SA-4.0")
    assert lic.name == "Creative Commons Attribution-ShareAlike 4.0 International"
    assert lic.short_name == "CC BY-SA 4.0"
    assert (lic.version, lic.port) == ("4.0", None)
    assert lic.deed_url == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert lic.legal_code_url == "https://creativecommons.org/licenses/by-sa/4.0/legalcode"
    assert (lic.attribution, lic.share_alike, lic.non_commercial) == (True, True, False)
    assert (lic.no_derivatives, lic.public_domain) == (False, False)


@pytest.mark.parametrize(
    ("license_id", "name", "deed"),
    [
        (
            "CC-BY-ND-3.0-DE",
            "Creative Commons Attribution-NoDerivs 3.0 Germany",
            "https://creativecommons.org/licenses/by-nd/3.0/de/",
        ),
        (
            "CC-BY-SA-2.0-UK",
            "Creative Commons Attribution-ShareAlike 2.0 England and Wales",
            "https://creativecommons.org/licenses/by-sa/2.0/uk/",
        ),
        (
            "CC-BY-3.0-IGO",
            "Creative Commons Attribution 3.0 IGO",
            "https://creativecommons.org/licenses/by/3.0/igo/",
        ),
        (
            "CC-BY-NC-ND-1.0",  # CC's 1.0 unit was "by-nd-nc"
            "Creative Commons Attribution-NonCommercial-NoDerivs 1.0 Generic",
            "https://creativecommons.org/licenses/by-nd-nc/1.0/",
        ),
        (
            "CC-BY-3.0",
            "Creative Commons Attribution 3.0 Unported",
            "https://creativecommons.org/licenses/by/3.0/",
        ),
        (
            "CC0-1.0",
            "Creative Commons Zero v1.0 Universal",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
    ],
)
def test_older_versions_and_ports_have_their_own_names_and_urls(
    license_id: str, name: str, deed: str
) -> None:
    lic = get_license(license_id)
    assert (lic.name, lic.deed_url) == (name, deed)


def test_public_domain_tools_need_no_attribution() -> None:
    for license_id in ["CC0-1.0", "CC-PDM-1.0"]:
        lic = get_license(license_id)
        assert lic.public_domain and not lic.attribution


def test_plain_words_speak_to_a_teacher() -> None:
    assert get_license("CC-BY-SA-4.0").plain_words == (
        "You may copy, change and share this, even commercially, as long as you credit the "
        "author and share your changes under the same licence."
    )
    assert "not for commercial purposes" in get_license("CC-BY-NC-4.0").plain_words
    assert "may not share changed versions" in get_license("CC-BY-ND-4.0").plain_words
    assert "not even" in get_license("CC-BY-ND-3.0").plain_words  # BY-ND 3.0 §3
    assert all(lic.plain_words for lic in all_licenses())


def test_licences_are_frozen() -> None:
    lic = get_license("CC-BY-4.0")
    assert isinstance(lic, License)
    with pytest.raises(AttributeError):
        lic.id = "MIT"  # type: ignore[misc]


def test_urls_map_back_to_licences() -> None:
    assert license_for_url("http://creativecommons.org/licenses/by-sa/3.0/de/").id == (
        "CC-BY-SA-3.0-DE"
    )
    assert license_for_url("https://creativecommons.org/licenses/by/4.0/legalcode").id == (
        "CC-BY-4.0"
    )
    with pytest.raises(UnknownLicence):
        license_for_url("https://example.org/licence")


def test_unknown_id_says_which_and_how_to_fix_it() -> None:
    with pytest.raises(UnknownLicence) as caught:
        get_license("CC-BY-SA-40")
    message = str(caught.value)
    assert "'CC-BY-SA-40'" in message and "Did you mean 'CC-BY-SA-4.0'" in message
    assert "spdx.org/licenses" in message and "licences page" in message
    assert "all_licenses" not in message  # written for people, not developers
    assert isinstance(caught.value, ValueError)


def test_wrong_case_is_suggested_not_accepted() -> None:
    assert not is_known("cc-by-4.0")
    with pytest.raises(UnknownLicence, match=r"Did you mean 'CC-BY-4\.0'"):
        get_license("cc-by-4.0")


def test_non_string_ids_are_unknown() -> None:
    assert not is_known(["CC-BY-4.0"])  # type: ignore[arg-type]
    with pytest.raises(UnknownLicence, match="short SPDX id"):
        get_license(None)  # type: ignore[arg-type]

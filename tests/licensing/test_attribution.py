"""Attribution text, ccREL RDFa, schema.org JSON-LD and the ATTRIBUTION file."""

import json
import xml.etree.ElementTree as ET

import pytest

from licensing import (
    UnknownLicence,
    Work,
    attribution_file,
    attribution_html,
    attribution_jsonld,
    attribution_text,
)

# Source: CC wiki "Recommended practices for attribution" — the "ideal" example and its
# derivative ("This work, "90fied", is a derivative of ... by tvol, used under CC BY. "90fied" is
# licensed under CC BY by [Your name here]."), notes §6.2.
BIRTHDAY = Work(
    title="Creative Commons 10th Birthday Celebration San Francisco",
    authors=["tvol"],
    license_id="CC-BY-2.0",
    url="https://www.flickr.com/photos/tvol/8309795599",
)
NINETIES = Work(title="90fied", authors=["Your Name"], license_id="CC-BY-4.0", sources=[BIRTHDAY])

HOSTILE = '<script>alert("x")</script>'


def parse(html: str) -> ET.Element:
    return ET.fromstring(html)  # noqa: S314 - our own output, parsed to check it is well formed


def test_tasl_for_a_single_work_follows_ccs_example() -> None:
    assert attribution_text(BIRTHDAY) == (
        '"Creative Commons 10th Birthday Celebration San Francisco" '
        "(https://www.flickr.com/photos/tvol/8309795599) by tvol is licensed under CC BY 2.0 "
        "(https://creativecommons.org/licenses/by/2.0/)."
    )


def test_a_derivative_credits_its_source_and_says_it_was_modified() -> None:
    text = attribution_text(NINETIES)
    assert text.startswith(
        'This work, "90fied", is a derivative of "Creative Commons 10th Birthday Celebration '
        'San Francisco" (https://www.flickr.com/photos/tvol/8309795599) by tvol, used under '
        "CC BY 2.0 (https://creativecommons.org/licenses/by/2.0/)."
    )
    # 4.0 §3(a)(1)(B) "indicate if You modified"; 3.0 §3(b) "The original work has been modified."
    assert "The original work has been modified." in text
    # The adapter is named as such (CC's derivative example: "... licensed under CC BY by [Your
    # name here]"), so a reader can tell who made the changes from who made the original.
    assert text.endswith(
        '"90fied", adapted by Your Name, is licensed under CC BY 4.0 '
        "(https://creativecommons.org/licenses/by/4.0/)."
    )


def test_described_changes_replace_the_generic_notice() -> None:
    work = Work(
        "Orbit FR", ["Ana"], "CC-BY-4.0", sources=[BIRTHDAY], modified="French translation."
    )
    text = attribution_text(work)
    assert "Changes: French translation." in text and "has been modified" not in text


def test_chains_credit_every_ancestor_and_every_modification() -> None:
    # notes §6.3: BY-SA 3.0 -> BY-SA 4.0 -> BY-SA 4.0 with a CC0 asset.
    root = Work("Sun model", ["Alice"], "CC-BY-SA-3.0", url="https://a.example/sun")
    middle = Work(
        "Tracker",
        ["Bob"],
        "CC-BY-SA-4.0",
        url="https://b.example/t",
        sources=[root],
        modified="added a controller",
    )
    icon = Work("Icon", ["Dan"], "CC0-1.0", url="https://d.example/i")
    top = Work("Lab", ["Carol"], "CC-BY-SA-4.0", sources=[middle, icon], modified="merged")
    text = attribution_text(top)
    lines = text.splitlines()
    assert len(lines) == 2
    assert '"Tracker" (https://b.example/t), adapted by Bob, used under CC BY-SA 4.0' in lines[0]
    assert '"Icon" (https://d.example/i) by Dan, marked CC0 1.0' in lines[0]
    assert "Changes: merged." in lines[0]
    assert lines[1].startswith('"Tracker" is itself a derivative of "Sun model"')
    assert "used under CC BY-SA 3.0" in lines[1] and "Changes: added a controller." in lines[1]


def test_shared_ancestors_are_described_once() -> None:
    shared = Work("Base", ["Alice"], "CC-BY-4.0", url="https://a.example/base")
    left = Work("Left", ["Bob"], "CC-BY-4.0", url="https://a.example/l", sources=[shared])
    right = Work("Right", ["Eve"], "CC-BY-4.0", url="https://a.example/r", sources=[shared])
    top = Work("Top", ["Carol"], "CC-BY-4.0", sources=[left, right])
    assert attribution_text(top).count("is itself a derivative of") == 2
    based_on = attribution_jsonld(top)["isBasedOn"]
    assert based_on[0]["isBasedOn"][0]["name"] == "Base"
    assert based_on[1]["isBasedOn"] == [{"@id": "https://a.example/base"}]


def test_pre_4_0_credit_includes_the_title_even_when_blank() -> None:
    # BY 3.0 §4(b): "the title of the Work if supplied"; an unnamed work still gets a phrase.
    untitled = Work("", ["Alice"], "CC-BY-3.0")
    assert attribution_text(untitled).startswith("an untitled work by Alice")


def test_public_domain_works_are_marked_not_licensed() -> None:
    # CC chooser wording: "is marked CC0 1.0".
    assert "is marked CC0 1.0" in attribution_text(Work("Stars", ["Dan"], "CC0-1.0"))
    assert "marked with the Public Domain Mark 1.0" in attribution_text(
        Work("Old map", [], "CC-PDM-1.0")
    )


def test_copyright_notices_are_retained() -> None:
    work = Work("Map", ["Alice"], "CC-BY-3.0", copyright_notice="© 2010 Alice Ltd")
    assert "(© 2010 Alice Ltd)" in attribution_text(work)


def test_html_carries_ccrel_rdfa() -> None:
    html = attribution_html(NINETIES)
    assert 'xmlns:cc="http://creativecommons.org/ns#"' in html
    assert 'xmlns:dct="http://purl.org/dc/terms/"' in html
    root = parse(html)
    rels = {a.get("rel"): a.get("href") for a in root.iter("a")}
    assert rels["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert rels["dct:source"] == "https://www.flickr.com/photos/tvol/8309795599"
    names = [el.text for el in root.iter() if el.get("property") == "cc:attributionName"]
    assert names == ["Your Name"]


def test_html_links_title_and_author() -> None:
    work = Work(
        "Orbit",
        ["Alice", "Bob"],
        "CC-BY-SA-4.0",
        url="https://r.example/orbit",
        author_url="https://r.example/alice",
    )
    root = parse(attribution_html(work))
    assert root.get("about") == "https://r.example/orbit"
    title = next(a for a in root.iter("a") if a.get("property") == "dct:title")
    assert (title.get("rel"), title.get("href")) == ("cc:attributionURL", "https://r.example/orbit")
    author = next(a for a in root.iter("a") if a.get("property") == "cc:attributionName")
    assert (author.text, author.get("href")) == ("Alice and Bob", "https://r.example/alice")


def test_an_ancestors_licence_is_not_claimed_for_the_new_work() -> None:
    root = parse(attribution_html(NINETIES))
    licences = [a.get("href") for a in root.iter("a") if a.get("rel") == "license"]
    assert licences == ["https://creativecommons.org/licenses/by/4.0/"]


@pytest.mark.parametrize(
    "field", ["title", "authors", "copyright_notice", "modified", "source_title"]
)
def test_html_escapes_hostile_user_text(field: str) -> None:
    source = Work(HOSTILE if field == "source_title" else "Base", ["A"], "CC-BY-4.0")
    work = Work(
        title=HOSTILE if field == "title" else "Lab",
        authors=[HOSTILE] if field == "authors" else ["Carol"],
        license_id="CC-BY-4.0",
        copyright_notice=HOSTILE if field == "copyright_notice" else None,
        modified=HOSTILE if field == "modified" else None,
        sources=[source],
    )
    html = attribution_html(work)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    parse(html)


def test_unsafe_urls_are_never_linked() -> None:
    work = Work(
        "Lab",
        ["Carol"],
        "CC-BY-4.0",
        url="javascript:alert(1)",
        author_url='https://x.example/" onmouseover="alert(1)',
    )
    html = attribution_html(work)
    assert "javascript:" not in html and "onmouseover" not in html
    assert "javascript:" not in attribution_text(work)
    parse(html)


def test_attribute_values_are_escaped() -> None:
    work = Work("Lab", ["Carol"], "CC-BY-4.0", url='https://x.example/?a=1&b="2"')
    root = parse(attribution_html(work))
    assert root.get("about") == 'https://x.example/?a=1&b="2"'


def test_jsonld_uses_schema_org_terms() -> None:
    doc = attribution_jsonld(NINETIES)
    assert doc["@context"] == "https://schema.org"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["creditText"] == attribution_text(NINETIES)
    assert doc["author"] == [{"@type": "Person", "name": "Your Name"}]
    parent = doc["isBasedOn"][0]
    assert parent["name"] == BIRTHDAY.title
    assert parent["license"] == "https://creativecommons.org/licenses/by/2.0/"
    json.dumps(doc)  # serialisable as is


def test_attribution_file_lists_credit_and_every_licence() -> None:
    text = attribution_file(NINETIES)
    assert text.startswith("ATTRIBUTION\n\n" + attribution_text(NINETIES))
    assert "CC BY 2.0: Creative Commons Attribution 2.0 Generic" in text
    assert "Legal code: https://creativecommons.org/licenses/by/4.0/legalcode" in text
    assert "stays under their licences" in text
    assert text.endswith("\n")


def test_line_breaks_in_user_text_cannot_forge_lines() -> None:
    work = Work("Lab\nLicences\n\nCC0 1.0", ["Carol\r\nEve"], "CC-BY-4.0")
    text = attribution_file(work)
    assert '"Lab Licences CC0 1.0" by Carol Eve' in text


def test_works_are_hashable_and_checked_on_construction() -> None:
    work = Work("Lab", ["Carol"], "CC-BY-4.0", sources=[BIRTHDAY])
    assert hash(work) == hash(Work("Lab", ("Carol",), "CC-BY-4.0", sources=(BIRTHDAY,)))
    with pytest.raises(UnknownLicence):
        Work("Lab", ["Carol"], "CC-BY-4.1")

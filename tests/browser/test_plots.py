"""A scenario's plots on its page in Chromium: each shown once, as SVG, with its PNG to download, none blank."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import new_context, published_inline, scenario_zip

pytestmark = pytest.mark.django_db(transaction=True)

# Share of an image's pixels that are not near-white: an empty axes frame stays well under it.
INKED = """img => {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d");
  context.fillStyle = "white"; context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(img, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) inked++;
  }
  return inked / (pixels.length / 4);
}"""


def test_each_plot_is_shown_once_as_svg_with_a_png_download_and_none_is_blank(
    browser, site, settings, outsider, southbank, tmp_path
):
    settings.VALIDATION_RUN_CONTENT = True  # the scenario really runs, in the sandbox
    scenario = published_inline(scenario_zip(tmp_path), southbank, outsider)
    context = new_context(browser, site)
    page = context.new_page()
    page.goto(scenario.get_absolute_url())
    page.locator("details", has_text=re.compile("more plots?")).locator("summary").click()
    figures = page.locator("figure.plot")
    names = [f.locator("figcaption").inner_text() for f in figures.all()]
    assert len(names) >= 3
    assert len(names) == len(set(names))  # once each
    for figure in figures.all():
        image = figure.locator("img")
        image.scroll_into_view_if_needed()
        expect(image).to_have_attribute("src", re.compile(r"\.svg$"))
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.evaluate(INKED) > 0.01, figure.inner_text()
        expect(figure.get_by_role("link", name="PNG")).to_have_attribute(
            "href", re.compile(r"\.png$")
        )
    context.close()

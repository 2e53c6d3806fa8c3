"""Images in a real browser: every picture on the reader pages loads from the live server's
media, at a rendition its srcset offers, into the box its width and height keep for it."""

from urllib.parse import urlsplit

import pytest

from tests.browser.test_reader_walk import REVIEW_SLUG

PAGES_WITH_IMAGES = {
    "home": "/",
    "review": f"/reviews/{REVIEW_SLUG}/",
    "film list": "/films/",
    "film": "/films/tron-ares/",
    "soundtrack": "/soundtracks/tron-ares-soundtrack/",
    "group": "/people/nine-inch-nails/",
    "franchise": "/franchises/tron/",
}

# For each <img>: brought into view (lazy ones load then), whether it decoded, the rendition the
# browser chose, and whether its box already had the picture's shape before the picture came.
INSPECT = """async () => {
  const results = [];
  for (const img of document.querySelectorAll("main img")) {
    const before = img.getBoundingClientRect();
    img.scrollIntoView();
    if (!img.complete) {
      await new Promise((done) => img.addEventListener("load", done, {once: true}));
    }
    await img.decode().catch(() => {});
    const after = img.getBoundingClientRect();
    results.push({
      src: img.currentSrc,
      srcset: img.srcset,
      loaded: img.complete && img.naturalWidth > 0,
      ratio: img.naturalWidth / img.naturalHeight,
      boxRatio: after.width / after.height,
      sameBox: Math.abs(before.height - after.height) < 1,
    });
  }
  return results;
}"""


@pytest.mark.usefixtures("tron")
@pytest.mark.parametrize("path", PAGES_WITH_IMAGES.values(), ids=PAGES_WITH_IMAGES.keys())
def test_every_image_loads_a_rendition_into_a_box_of_its_shape(page, page_problems, path):
    page.goto(path)

    images = page.evaluate(INSPECT)

    assert images, "the page should show images"
    for image in images:
        assert image["loaded"], image
        offered = [candidate.split()[0] for candidate in image["srcset"].split(", ")]
        assert urlsplit(image["src"]).path in offered, image
        assert abs(image["ratio"] - image["boxRatio"]) < 0.02, image
        assert image["sameBox"], image
    page_problems.assert_clean()

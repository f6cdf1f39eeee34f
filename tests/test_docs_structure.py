"""The documentation's structure: every page reachable from a section index,
so the theme's section sidebar is never empty and the navbar stays short."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def toctree_entries(page):
    """The documents a page's toctrees list, relative to its folder."""
    entries, inside = [], False
    for line in page.read_text().splitlines():
        if line.startswith(".. toctree::"):
            inside = True
        elif inside and line.strip() and not line.startswith("   "):
            inside = False
        elif inside and line.strip() and not line.strip().startswith(":"):
            entries.append(line.strip())
    return entries


def test_the_navbar_holds_the_sections_only():
    assert toctree_entries(DOCS / "index.rst") == [
        "install",
        "user_guide/index",
        "auto_examples/index",
        "api/index",
    ]


@pytest.mark.parametrize(
    "page", sorted(p.stem for p in (DOCS / "user_guide").glob("*.rst") if p.stem != "index")
)
def test_every_user_guide_page_is_in_the_user_guide_index(page):
    # A page outside the section's toctree gets an empty section sidebar.
    assert page in toctree_entries(DOCS / "user_guide" / "index.rst")
    index_text = (DOCS / "user_guide" / "index.rst").read_text()
    assert re.search(rf":doc:`{page}`", index_text), f"the index does not introduce {page}"

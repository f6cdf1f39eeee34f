"""The documentation's structure: every page reachable from a section index,
so the theme's section sidebar is never empty and the navbar stays short."""

import re
import sys
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
        "benchmarks",
    ]


def test_pages_without_sub_pages_have_no_sidebar_rather_than_an_empty_one():
    # pydata-sphinx-theme draws a section sidebar from a page's toctree; a
    # top-level page without one must turn the sidebar off in conf.py.
    conf = {"__file__": str(DOCS / "conf.py")}
    exec((DOCS / "conf.py").read_text().split("# The example gallery.")[0], conf)
    for entry in toctree_entries(DOCS / "index.rst"):
        page = DOCS / f"{entry}.rst"
        has_children = page.exists() and (toctree_entries(page) or ":toctree:" in page.read_text())
        if page.exists() and not has_children and "auto_examples" not in entry:
            assert conf["html_sidebars"].get(entry) == [], entry


@pytest.mark.parametrize(
    "page", sorted(p.stem for p in (DOCS / "user_guide").glob("*.rst") if p.stem != "index")
)
def test_every_user_guide_page_is_in_the_user_guide_index(page):
    # A page outside the section's toctree gets an empty section sidebar.
    assert page in toctree_entries(DOCS / "user_guide" / "index.rst")
    index_text = (DOCS / "user_guide" / "index.rst").read_text()
    assert re.search(rf":doc:`{page}`", index_text), f"the index does not introduce {page}"


def test_math_is_drawn_at_build_time_so_pages_read_offline():
    pytest.importorskip("sphinx")  # numpydoc, in the test extra, brings it
    sys.path.insert(0, str(DOCS))
    try:
        from _math_svg import render_svg
    finally:
        sys.path.remove(str(DOCS))
    conf = (DOCS / "conf.py").read_text()
    assert '"_math_svg"' in conf and "mathjax" not in conf
    # Every formula of the docs renders, to an SVG that needs no font or script.
    formulas = [
        block.group(1)
        for page in DOCS.rglob("*.rst")
        for block in re.finditer(r"\.\. math::\n\n((?:   .*\n?)+)", page.read_text())
    ]
    assert formulas
    for formula in formulas:
        svg = render_svg(formula, fontsize=14)
        assert svg.startswith("<svg") and "<text" not in svg and "<script" not in svg
        assert render_svg(formula, fontsize=14) == svg  # a rebuild writes the same page
    from sphinx.errors import ExtensionError

    with pytest.raises(ExtensionError, match=r"mathtext cannot render '\\\\frac\{1'"):
        render_svg(r"\frac{1", fontsize=14)

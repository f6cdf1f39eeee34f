"""Sphinx extension: render math at build time, so pages read offline.

Each ``:math:`` role and ``.. math::`` block becomes an inline SVG drawn by
matplotlib's mathtext (a subset of TeX that covers these docs), instead of
TeX source that MathJax would typeset from a CDN in the reader's browser.
A formula mathtext cannot parse fails the build with its source.
"""

import hashlib
import io
import re

from docutils import nodes
from sphinx.errors import ExtensionError


def render_svg(latex, *, fontsize):
    """The SVG markup of ``latex`` (without dollars), as a string."""
    import matplotlib
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    source = " ".join(line.strip() for line in latex.strip().splitlines())
    buffer = io.StringIO()
    try:
        # Computer Modern, TeX's own look; the glyphs are drawn as paths, so
        # the page needs no font either.
        with matplotlib.rc_context({"mathtext.fontset": "cm", "svg.fonttype": "path"}):
            mathtext.math_to_image(
                f"${source}$", buffer, prop=FontProperties(size=fontsize), format="svg"
            )
    except ValueError as exc:
        raise ExtensionError(f"mathtext cannot render {source!r}: {exc}") from exc
    svg = buffer.getvalue()
    # The element alone, without its creation-time metadata: a rebuild
    # writes the same page.
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], flags=re.S)
    # An id per formula: several SVGs on one page must not share glyph ids.
    suffix = "m" + hashlib.sha1(source.encode()).hexdigest()[:8]
    return re.sub(r'(id="|href="#|url\(#)([^"\)]+)', rf"\g<1>{suffix}-\g<2>", svg)


def visit_inline(self, node):
    self.body.append(f'<span class="svg-math">{render_svg(node.astext(), fontsize=11)}</span>')
    raise nodes.SkipNode


def visit_block(self, node):
    self.body.append(f'<div class="svg-math-block">{render_svg(node.astext(), fontsize=14)}</div>')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer(
        "mathtext_svg", inline_renderers=(visit_inline, None), block_renderers=(visit_block, None)
    )
    app.config.html_math_renderer = "mathtext_svg"
    return {"parallel_read_safe": True, "parallel_write_safe": True}

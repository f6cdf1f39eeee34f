"""Sphinx configuration for skgen's documentation."""

import os
import sys

import skgen

# docs/ itself: the gallery's reading order (_gallery_order.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

project = "scikit-generative"
author = "the scikit-generative developers"
copyright = f"2026, {author}"
release = skgen.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # docs/_bench_docs.py: measured figures from bench/results.json.
    "_bench_docs",
    # docs/_math_svg.py: math drawn at build time, so pages read offline.
    "_math_svg",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
autodoc_default_options = {"members": True, "inherited-members": True}
intersphinx_mapping = {}
exclude_patterns = ["_build"]
templates_path = ["_templates"]
# The theme of scikit-learn's own documentation.
html_theme = "pydata_sphinx_theme"
html_title = "scikit-generative"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# Pages with no sub-pages get no section sidebar, rather than an empty one.
html_sidebars = {"install": [], "benchmarks": []}
nitpicky = False

# The example gallery. Its outputs (docs/auto_examples/) are committed from a
# build at full settings, about an hour on 2 CPU cores:
#     python -m sphinx -b html docs docs/_build/html
# sphinx-gallery re-runs an example only when its source no longer matches
# the committed .md5, so CI's build (SKGEN_EXAMPLES_FAST=1, a few epochs)
# shows the full-settings figures and takes about a minute. After editing an
# example, rebuild without SKGEN_EXAMPLES_FAST and commit docs/auto_examples/
# (tests/test_examples.py checks that the committed outputs are current, and
# runs every example itself).
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/(plot_|quickstart|train_distributed)",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    # Its timing page loads its table's scripts from a CDN: the docs read
    # offline, and each example shows its own run time.
    "write_computation_times": False,
    # From the quick start to the advanced examples (docs/_gallery_order.py).
    "within_subsection_order": "_gallery_order.ReadingOrder",
}

"""Sphinx configuration for skgen's documentation."""

import skgen

project = "scikit-generative"
author = "the scikit-generative developers"
copyright = f"2026, {author}"
release = skgen.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
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
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
nitpicky = False

# The example gallery: every script in examples/ runs and its figures are
# shown. SKGEN_EXAMPLES_FAST=1 (CI sets it) cuts the epochs so the build
# takes about a minute; without it the figures come from full training.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/(plot_|quickstart)",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
}

"""Sphinx configuration for skgen's documentation."""

import skgen

project = "scikit-generative"
author = "skgen developers"
release = skgen.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
autodoc_default_options = {"members": True, "inherited-members": True}
intersphinx_mapping = {}
exclude_patterns = ["_build"]
templates_path = ["_templates"]
html_theme = "alabaster"
nitpicky = False

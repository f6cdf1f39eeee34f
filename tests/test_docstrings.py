"""Every public class and function is documented with numpydoc and a runnable example.

The examples themselves run as doctests (``--doctest-modules`` over
``skgen``); this checks that none is missing and that parameters and
returns are documented as they are in the signatures.
"""

import importlib
import inspect

import pytest
from numpydoc.validate import validate

PUBLIC_MODULES = [
    "skgen",
    "skgen.metrics",
    "skgen.preprocessing",
    "skgen.datasets",
    "skgen.plotting",
    "skgen.diffusion",
    "skgen.exceptions",
]
# Parameters documented in the signature but not in the docstring (PR01),
# documented but absent (PR02), no Returns section (RT01), no docstring (GL08).
CHECKED_CODES = {"PR01", "PR02", "RT01", "GL08"}


def public_objects():
    seen = {}
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return seen


PUBLIC = public_objects()


def public_methods():
    """Public methods of the public classes, inherited ones included, that skgen defines."""
    names = []
    for path, obj in PUBLIC.items():
        if not inspect.isclass(obj) or obj.__module__.startswith("skgen.diffusion._schedule"):
            continue  # the schedule is a torch Module: forward & co. are torch's
        for name, member in inspect.getmembers(obj, callable):
            if not name.startswith("_") and getattr(member, "__module__", "").startswith("skgen."):
                names.append(f"{path}.{name}")
    return names


def test_the_public_api_is_what_the_reference_lists():
    assert len(PUBLIC) >= 25  # the collector found the API
    reference = open(__file__.replace("tests/test_docstrings.py", "docs/api/index.rst")).read()
    for path, obj in PUBLIC.items():
        assert obj.__name__ in reference, f"{path} is missing from docs/api/index.rst"


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_every_public_class_and_function_has_a_doctest_example(path):
    doc = inspect.getdoc(PUBLIC[path]) or ""
    assert "\nExamples\n--------\n" in doc, f"{path} has no Examples section"
    assert ">>>" in doc.split("\nExamples\n--------\n", 1)[1], f"{path}: example has no code"


@pytest.mark.parametrize("path", sorted(PUBLIC) + public_methods())
def test_numpydoc_sections_match_the_signature(path):
    errors = [
        f"{code}: {message}" for code, message in validate(path)["errors"] if code in CHECKED_CODES
    ]
    assert not errors, errors

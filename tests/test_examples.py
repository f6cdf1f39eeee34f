"""Every example runs (with a few epochs) and produces what it promises."""

import os
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("SKGEN_EXAMPLES_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    pngs = list(tmp_path.glob("*.png"))
    assert pngs, "the example saved no figure"
    assert all(p.stat().st_size > 1000 for p in pngs)
    if path.name == "quickstart.py":
        for name in ("PCA", "LinearAutoencoder", "StackedAutoencoder", "SparseAutoencoder",
                     "DenoisingAutoencoder", "ConvolutionalAutoencoder"):
            assert name in out
    assert os.environ["SKGEN_EXAMPLES_FAST"] == "1"

"""Every example runs (with a few epochs) and produces what it promises."""

import os
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path, tmp_path, monkeypatch, capsys):
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


def test_readme_example_runs_and_the_autoencoder_is_competitive(capsys):
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    lines = dict(line.split() for line in capsys.readouterr().out.strip().splitlines())
    assert set(lines) == {"PCA", "StackedAutoencoder"}
    assert float(lines["StackedAutoencoder"]) > 0.85
    assert float(lines["StackedAutoencoder"]) >= float(lines["PCA"]) - 0.03

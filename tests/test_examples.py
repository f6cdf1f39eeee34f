"""Every example runs (with a few epochs) and produces what it promises."""

import runpy
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKGEN_EXAMPLES_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    try:
        runpy.run_path(str(path), run_name="__main__")
        figures = [plt.figure(n) for n in plt.get_fignums()]
        # Every axes of the gallery figure has something drawn on it.
        assert figures and all(ax.has_data() for f in figures for ax in f.axes)
    finally:
        plt.close("all")
    out = capsys.readouterr().out
    pngs = list(tmp_path.glob("*.png"))
    assert pngs, "the example saved no figure"
    assert all(p.stat().st_size > 1000 for p in pngs)
    if path.name == "quickstart.py":
        for name in (
            "PCA",
            "LinearAutoencoder",
            "StackedAutoencoder",
            "SparseAutoencoder",
            "DenoisingAutoencoder",
            "ConvolutionalAutoencoder",
        ):
            assert name in out
    if path.name == "plot_custom_networks.py":
        assert "built-in  networks" in out and "your own  networks" in out
    if path.name == "plot_real_digits_28x28.py":
        for name in ("real training digits", "VAE", "DCGAN", "DDPM (U-Net)", "KernelDensity"):
            assert name in out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_is_a_gallery_page(path):
    """sphinx-gallery needs a docstring that opens with an underlined title."""
    lines = path.read_text().split('"""')[1].strip().splitlines()
    assert len(lines) > 2 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0])


GALLERY = Path(__file__).parents[1] / "docs" / "auto_examples"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_committed_gallery_output_is_current(path):
    """The docs show figures of a full-settings build, committed under
    docs/auto_examples/; sphinx-gallery reuses them while the example's
    source matches their md5 (see docs/conf.py). An edited example needs
    that build again."""
    import hashlib

    # sphinx-gallery's own hash: the text with universal newlines, as UTF-8.
    digest = hashlib.md5(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
    recorded = GALLERY / f"{path.name}.md5"
    assert recorded.exists(), f"no committed gallery output for {path.name}"
    assert recorded.read_text() == digest, (
        f"{path.name} changed since its gallery figures were built: rebuild the docs "
        "without SKGEN_EXAMPLES_FAST and commit docs/auto_examples/"
    )
    figures = list((GALLERY / "images").glob(f"sphx_glr_{path.stem}_*.png"))
    assert figures and all(f.stat().st_size > 10_000 for f in figures)


def test_readme_example_runs_and_the_autoencoder_is_competitive(capsys):
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    lines = dict(line.split() for line in capsys.readouterr().out.strip().splitlines())
    assert set(lines) == {"PCA", "StackedAutoencoder"}
    assert float(lines["StackedAutoencoder"]) > 0.85
    assert float(lines["StackedAutoencoder"]) >= float(lines["PCA"]) - 0.03

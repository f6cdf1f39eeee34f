"""The documentation quotes its measured figures from bench/results.json.

Pages show recorded tables with ``.. bench-table:: NAME`` and quote cells
with ``:bench:`NAME[ROW, COLUMN]``` (docs/_bench_docs.py). These tests fail
when a page refers to a record, row or column the file does not hold, and
when one of the pages that quote the file types a measured figure itself,
which could then disagree with the file.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "bench"))
import _results  # noqa: E402

RESULTS = _results.load()
PAGES = sorted(
    p for p in DOCS.rglob("*.rst") if not {"auto_examples", "api", "_build"} & set(p.parts)
)
# The pages whose measured figures all come from the file.
QUOTING = ["index", "benchmarks", "autoencoders", "vae", "gan", "ddpm", "training", "tables"]
# Figures these pages quote from elsewhere (the book's own results).
NOT_OURS = {"vae": {"0.0311"}, "autoencoders": {"0.0132", "0.0121"}}
ROLE = re.compile(r":bench:`([^`]+)`")
TABLE = re.compile(r"^\.\. bench-table:: *(\S+)(?:\n +:rows: *(.+))?", re.M)
# A measured-looking figure: two or more decimals, seconds, or a ratio.
FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*\.\d{2,}x?|\d[\d,]* s\b|\d+(?:\.\d+)?x\b)")


def prose_lines(text):
    """(line number, text) of a page's running text: no code blocks, math,
    literals or roles."""
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if inside and stripped and not line.startswith(" "):
            inside = False
        if inside:
            continue
        if re.match(r"\.\. (code-block|code|math|literalinclude)::", stripped) or (
            stripped.endswith("::") and not stripped.startswith("..")
        ):
            inside = True
        yield number, re.sub(r"``.*?``|:[\w-]+:`[^`]*`", "", line)


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_every_record_is_a_well_formed_table(name):
    _results.check_record(name, RESULTS[name])
    assert RESULTS[name]["command"].startswith("python bench/")


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_quoted_figure_is_in_the_results_file(page):
    text = page.read_text()
    # ``:bench:`...``` inside a literal shows the syntax; it quotes nothing.
    for reference in ROLE.findall(re.sub(r"``.*?``", "", text.replace("\n", " "))):
        _results.cell(RESULTS, reference)  # raises KeyError naming what is missing
    for name, rows in TABLE.findall(text):
        assert name in RESULTS, f"{page.name}: no record {name!r} in bench/results.json"
        missing = set(rows.split()) - set(RESULTS[name]["rows"])
        assert not missing, f"{page.name}: record {name!r} has no rows {missing}"


@pytest.mark.parametrize("stem", QUOTING)
def test_pages_that_quote_the_file_type_no_figure_of_their_own(stem):
    page = next(p for p in PAGES if p.stem == stem)
    typed = [
        f"line {n}: {m.group()}"
        for n, line in prose_lines(page.read_text())
        for m in FIGURE.finditer(line)
        if m.group() not in NOT_OURS.get(stem, set())
    ]
    assert not typed, (
        f"{page.name} types measured figures; quote them from bench/results.json "
        f"with :bench:`NAME[ROW, COLUMN]` instead: {typed}"
    )


def test_a_missing_cell_is_an_error_that_names_it():
    name = sorted(RESULTS)[0]
    with pytest.raises(KeyError, match="no row 'no-such-row'"):
        _results.cell(RESULTS, f"{name}[no-such-row, {RESULTS[name]['columns'][0]}]")
    with pytest.raises(KeyError, match="no record 'no_such_record'"):
        _results.cell(RESULTS, "no_such_record[a, b]")
    row = next(iter(RESULTS[name]["rows"]))
    assert (
        _results.cell(RESULTS, f"{name}[{row}, {RESULTS[name]['columns'][0]}]")
        == (RESULTS[name]["rows"][row][0])
    )


def test_recording_a_table_stores_the_command_and_the_cells(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(sys, "argv", ["bench_x.py", "--data", "two words"])
    _results.record("x", title="t", columns=["model", "FD"], rows={"a": ["A", 1.5]}, path=path)
    stored = _results.load(path)["x"]
    assert stored["command"] == "python bench/bench_x.py --data 'two words'"
    assert _results.cell(_results.load(path), "x[a, FD]") == "1.5"
    with pytest.raises(ValueError, match="expected 2 string cells"):
        _results.record("y", title="t", columns=["model", "FD"], rows={"a": ["A"]}, path=path)


def test_a_row_kept_twice_names_the_run_that_measured_it(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    columns = ["model", "FD"]
    # Run 1 measures a and b; run 2 only b, keeping a; run 3 only c.
    monkeypatch.setattr(sys, "argv", ["bench_x.py", "--all"])
    _results.record("x", title="t", columns=columns, rows={"a": ["A", 1], "b": ["B", 2]}, path=path)
    for argv, new in ((["--only", "b"], {"b": ["B", 3]}), (["--only", "c"], {"c": ["C", 4]})):
        previous = _results.load(path)["x"]
        kept = [key for key in previous["rows"] if key not in new]
        sentence, sources = _results.kept_rows(previous, kept, {"a": "row A"})
        monkeypatch.setattr(sys, "argv", ["bench_x.py", *argv])
        rows = {**{k: previous["rows"][k] for k in kept}, **new}
        _results.record(
            "x", title="t", columns=columns, rows=rows, note=sentence, sources=sources, path=path
        )
    stored = _results.load(path)["x"]
    assert stored["sources"]["a"].endswith("python bench/bench_x.py --all")
    assert stored["sources"]["b"].endswith("python bench/bench_x.py --only b")
    assert "c" not in stored["sources"]
    assert "Row row A: from an earlier record (" in stored["note"]
    assert "--all)." in stored["note"] and "--only b)." in stored["note"]
    # A run that keeps nothing stores no sources.
    _results.record("y", title="t", columns=columns, rows={"a": ["A", 1]}, path=path)
    assert "sources" not in _results.load(path)["y"]

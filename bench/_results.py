"""The measured tables that the documentation quotes: ``bench/results.json``.

A benchmark run with ``--record`` stores the table it printed here, under a
name, with the command that produced it. The documentation never types a
measured figure: it shows a whole table with ``.. bench-table:: NAME`` and
quotes one cell with ``:bench:`NAME[ROW, COLUMN]``` (docs/_bench_docs.py),
so a page cannot disagree with the file or with another page, and
``tests/test_docs_numbers.py`` fails on a reference the file does not hold.

Each record is::

    {"title": "...", "command": "python bench/...", "machine": "...",
     "date": "YYYY-MM-DD" or null, "note": "..." or null,
     "columns": ["row", "FD", ...],
     "rows": {"row-key": ["shown label", "2.31", ...], ...},
     "sources": {"row-key": "YYYY-MM-DD, python bench/...", ...}}

Cells are the strings the benchmark printed; the first cell of a row is its
label, and a row's key names it in ``:bench:`` references. A run that
measures only some rows (``--only``) keeps the others from the previous
record; ``sources`` (only when there are such rows) says where each of them
was measured, so a row kept twice still names its own run
(:func:`kept_rows`).
"""

import datetime
import json
import os
import re
import shlex
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")
REFERENCE = re.compile(r"^\s*(?P<name>[\w-]+)\[\s*(?P<row>[^,\]]+?)\s*,\s*(?P<column>.+?)\s*\]\s*$")


def load(path=RESULTS):
    """The records of ``path``, by name."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_record(name, record):
    """Raise ValueError when ``record`` is not a well-formed table."""
    for key in ("title", "command", "columns", "rows"):
        if key not in record:
            raise ValueError(f"bench record {name!r} has no {key!r}.")
    width = len(record["columns"])
    for key, cells in record["rows"].items():
        if len(cells) != width or not all(isinstance(c, str) for c in cells):
            raise ValueError(
                f"bench record {name!r}, row {key!r}: expected {width} string cells "
                f"for columns {record['columns']}; got {cells!r}."
            )


def cell(results, reference):
    """The cell that ``"NAME[ROW, COLUMN]"`` names, as a string.

    Raises KeyError, with what is there instead, when the record, the row
    or the column is missing.
    """
    match = REFERENCE.match(reference)
    if match is None:
        raise KeyError(f"{reference!r} is not of the form NAME[ROW, COLUMN].")
    name, row, column = match.group("name", "row", "column")
    if name not in results:
        raise KeyError(f"bench/results.json has no record {name!r}.")
    record = results[name]
    if row not in record["rows"]:
        raise KeyError(f"record {name!r} has no row {row!r}; rows: {list(record['rows'])}.")
    if column not in record["columns"]:
        raise KeyError(f"record {name!r} has no column {column!r}; columns: {record['columns']}.")
    return record["rows"][row][record["columns"].index(column)]


def add_record_option(parser):
    """Add ``--record NAME`` to a benchmark's argument parser."""
    parser.add_argument(
        "--record",
        metavar="NAME",
        help="store the printed table in bench/results.json under NAME, for the docs",
    )


def kept_rows(previous, keys, labels=None):
    """Rows ``keys`` kept from the record ``previous``: ``(sentence,
    sources)``. ``sources`` maps each key to the run that measured it
    (``"date, command"``): the previous record's, or, for a row that record
    had kept in turn, the one it names. ``sentence`` says it for the note,
    one clause per run, each row shown as ``labels[key]`` (default: the key).
    """
    here = f"{previous.get('date') or 'undated'}, {previous.get('command')}"
    known = previous.get("sources") or {}
    sources = {key: known.get(key, here) for key in keys}
    by_run = {}
    for key, run in sources.items():
        by_run.setdefault(run, []).append((labels or {}).get(key, key))
    sentence = " ".join(
        f"Row{'s' if len(shown) > 1 else ''} {', '.join(shown)}: from an earlier record ({run})."
        for run, shown in by_run.items()
    )
    return sentence, sources


def record(name, *, title, columns, rows, note=None, path=RESULTS, hide=(), sources=None):
    """Store one printed table under ``name``, with the command that ran
    (each argument in ``hide``, a local path, shown as its option's
    metavariable instead) and, for rows kept from an earlier record, the
    ``sources`` that :func:`kept_rows` gives."""
    args = [hide[a] if a in hide else a for a in sys.argv[1:]]
    entry = {
        "title": title,
        "command": "python " + shlex.join(["bench/" + Path(sys.argv[0]).name, *args]),
        "machine": _machine(),
        "date": datetime.date.today().isoformat(),
        "note": note,
        "columns": list(columns),
        "rows": {key: [str(c) for c in cells] for key, cells in rows.items()},
    }
    if sources:
        entry["sources"] = dict(sources)
    check_record(name, entry)
    results = load(path) if Path(path).exists() else {}
    results[name] = entry
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {name!r} in {path}")


def _machine():
    import torch

    if torch.cuda.is_available():
        return f"1 {torch.cuda.get_device_name(0)}"
    return f"{len(os.sched_getaffinity(0))} CPU cores"

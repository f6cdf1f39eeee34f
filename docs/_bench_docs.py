"""Sphinx extension: measured figures come from ``bench/results.json``.

``.. bench-table:: NAME`` shows a recorded table with the command that
measured it; ``:rows: KEY KEY ...`` keeps some rows, in that order.
``:bench:`NAME[ROW, COLUMN]``` quotes one cell in running text. A
reference the file does not hold is a build error (and fails
``tests/test_docs_numbers.py`` without a build).
"""

import sys
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.statemachine import StringList

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import _results  # noqa: E402


def _results_for(env):
    if not hasattr(env, "_bench_results"):
        env._bench_results = _results.load()
    return env._bench_results


def bench_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    try:
        value = _results.cell(_results_for(env), text)
    except KeyError as exc:
        message = inliner.reporter.error(f":bench:`{text}`: {exc.args[0]}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.inline(rawtext, value, classes=["bench-figure"])], []


class BenchTable(Directive):
    required_arguments = 1
    option_spec = {"rows": directives.unchanged}

    def run(self):
        env = self.state.document.settings.env
        env.note_dependency(str(_results.RESULTS))
        name = self.arguments[0]
        results = _results_for(env)
        if name not in results:
            raise self.error(f"bench/results.json has no record {name!r}.")
        record = results[name]
        keys = self.options.get("rows", "").split() or list(record["rows"])
        missing = [k for k in keys if k not in record["rows"]]
        if missing:
            raise self.error(f"record {name!r} has no rows {missing}.")
        lines = [f".. list-table:: {record['title']}", "   :header-rows: 1", ""]
        for cells in [record["columns"]] + [record["rows"][k] for k in keys]:
            for i, text in enumerate(cells):
                lines.append(f"   {'*' if i == 0 else ' '} - {text}".rstrip())
        when = f", {record['date']}" if record.get("date") else ""
        lines += ["", f"``{record['command']}`` on {record['machine']}{when}."]
        if record.get("note"):
            lines[-1] += f" {record['note']}"
        container = nodes.container(classes=["bench-table"])
        self.state.nested_parse(StringList(lines, source=f"bench:{name}"), 0, container)
        return [container]


def setup(app):
    app.add_role("bench", bench_role)
    app.add_directive("bench-table", BenchTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

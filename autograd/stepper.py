"""Follow backpropagation one chain-rule step at a time.

* ``steps_table(steps)`` / ``steps_html(steps)``: the whole pass as a text table and
  an HTML table (what ``backprop_steps(root).table()`` and a notebook show).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from autograd.draw import _fmt, _visible
from autograd.graph import Step

__all__ = ["steps_table", "steps_html"]

_HEADERS = ("#", "chain rule", "local", "upstream", "contribution", "running grad")


def _name(name: str) -> str:
    """A name fit for one line of text: newlines and control characters escaped."""
    return _visible(name).replace("\n", "\\n")


def _formula(step: Step) -> str:
    root, node, input = (_name(n) for n in step.names)
    return f"d{root}/d{input} += d{node}/d{input} * d{root}/d{node}"


def _row(i: int, step: Step) -> tuple[str, ...]:
    return (
        str(i),
        _formula(step),
        _fmt(step.local),
        _fmt(step.upstream),
        _fmt(step.contribution),
        _fmt(step.grad),
    )


def steps_table(steps: Sequence[Step]) -> str:
    """The steps as a text table, one row per chain-rule step, numbered from 1.

    Each row reads ``dL/dx += dn/dx * dL/dn`` (x receives gradient from the op
    result n), then the local derivative dn/dx, the upstream gradient dL/dn, their
    product (the contribution) and the running grad of x after the step.
    """
    if not steps:
        return "(no chain-rule steps: the root is a leaf)"
    rows = [_HEADERS] + [_row(i, s) for i, s in enumerate(steps, 1)]
    widths = [max(len(r[c]) for r in rows) for c in range(len(_HEADERS))]
    lines = []
    for r in rows:
        cells = [r[0].rjust(widths[0]), r[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(r[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_CELL = "padding:2px 10px;border-bottom:1px solid #e4e4e4"
_NUM = _CELL + ";text-align:right;font-family:monospace;white-space:nowrap"


def steps_html(steps: Sequence[Step]) -> str:
    """The steps as an HTML table for notebooks; every name is escaped."""
    if not steps:
        return "<p><i>(no chain-rule steps: the root is a leaf)</i></p>"
    head = "".join(
        f'<th style="{_CELL};text-align:{"left" if h == "chain rule" else "right"}">{h}</th>'
        for h in _HEADERS
    )
    body = []
    for i, step in enumerate(steps, 1):
        number, formula, *numbers = _row(i, step)
        cells = [f'<td style="{_NUM};color:#888">{number}</td>']
        cells.append(f'<td style="{_CELL};white-space:nowrap"><code>{html.escape(formula)}</code></td>')
        cells += [f'<td style="{_NUM}">{n}</td>' for n in numbers]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="chainrule-steps" style="border-collapse:collapse;font-size:13px">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )

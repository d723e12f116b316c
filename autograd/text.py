"""How every view writes numbers and user text: one place, so a table, a drawing, a
page and the command line show the same value the same way.

* ``number(x)``: 4 decimals, or an exponent when |x| is tiny or huge, so that a
  gradient of 1e-9 never reads as 0.0000;
* ``visible(text)``: control characters spelled as Python escapes (``\\t``, ``\\x07``),
  newlines kept;
* ``one_line(text)``: ``visible`` with newlines spelled ``\\n`` too: for a name inside a
  line of text;
* ``message_html(title, message)``: a boxed note for a notebook or a page (a renderer
  that is missing, say), escaped.
"""

from __future__ import annotations

import html
import math
import unicodedata

__all__ = ["number", "visible", "one_line", "message_html"]


def number(x: float) -> str:
    """``x`` as every view shows it: 4 decimals, an exponent when tiny or huge."""
    if math.isnan(x) or math.isinf(x):
        return repr(float(x))
    if x == 0.0:
        return "0.0000"  # -0.0 too: a sign on zero only puzzles a reader
    if 1e-3 <= abs(x) < 1e7:
        return f"{x:.4f}"
    return f"{x:.4e}"


def visible(text: str) -> str:
    """``text`` with control characters (except newlines) spelled as Python escapes."""
    text = text.replace("\r\n", "\n")
    out = []
    for ch in text:
        if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff"):
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """``text`` fit for one line: control characters and newlines escaped."""
    return visible(text).replace("\n", "\\n")


def message_html(title: str, message: str) -> str:
    """A boxed note (a bold title, then the message as preformatted text), escaped."""
    return (
        '<div style="border:1px solid #c62828;border-radius:4px;padding:6px 10px;'
        'font-family:sans-serif;font-size:13px;max-width:48em">'
        f"<b>{html.escape(title)}</b>"
        f'<pre style="white-space:pre-wrap;margin:6px 0 0 0">{html.escape(message)}</pre></div>'
    )

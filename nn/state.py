"""A module's state: {dotted parameter name: float}, checked whole and kept exactly in JSON.

``Module.state_dict``, ``load_state_dict``, ``save`` and ``load`` are thin methods over
the three functions here, which know nothing of modules: a state is checked against
the list of names it must have, written to a file and read back.

Floats are written with ``repr``, which reads back to the same float bit for bit, and
never with pickle: a parameter file is plain text a person can read and no file can run
code when loaded. Everything is checked before anything is used, so a bad state or
file raises ValueError and leaves the model as it was.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Mapping

__all__ = ["checked_values", "write_state", "read_state"]


def checked_values(state, names: list[str]) -> list[float]:
    """The values of ``state`` in ``names`` order, or ValueError saying what is wrong:
    not a dict, missing or unexpected names, an entry that is not a finite real number
    (bools and strings are not numbers)."""
    if not isinstance(state, Mapping):
        raise ValueError(
            f"a state must be a dict of parameter name -> number, not {type(state).__name__}"
        )
    wanted = set(names)
    missing = [n for n in names if n not in state]
    extra = [k for k in state if k not in wanted]
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} parameter(s): {', '.join(map(repr, missing[:5]))}")
    if extra:
        problems.append(f"unexpected {len(extra)} entr(y/ies): {', '.join(map(repr, extra[:5]))}")
    if problems:
        raise ValueError("state does not fit the module: " + "; ".join(problems))
    values = []
    for name in names:
        x = state[name]
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise ValueError(
                f"parameter {name!r} must be a real number, not {type(x).__name__}: {x!r}"
            )
        try:
            x = float(x)
        except (OverflowError, ValueError) as e:
            raise ValueError(f"parameter {name!r}: {e}") from None
        if not math.isfinite(x):
            raise ValueError(f"parameter {name!r} must be finite, got {x!r}")
        values.append(x)
    return values


def write_state(state: dict[str, float], path) -> None:
    """Write ``state`` to ``path`` as JSON. The file is written beside its destination
    and then moved into place, so a failed write never leaves a half-written file
    under ``path``. Non-finite values are refused (JSON has no NaN)."""
    bad = [name for name, x in state.items() if not math.isfinite(x)]
    if bad:
        raise ValueError(f"cannot save non-finite parameters: {', '.join(bad[:5])}")
    text = json.dumps(state, indent=1)
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_state(path) -> dict:
    """The state stored in ``path`` by ``write_state``. An unreadable file or one that
    is not JSON (duplicate keys included) raises ValueError naming the file."""
    shown = repr(os.fspath(path))
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read parameters from {shown}: {e}") from e
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
        raise ValueError(f"{shown} is not a parameter file (bad JSON: {e})") from e


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"duplicate key {dup!r}")
    return dict(pairs)

"""The README is true: every Python example prints exactly the output shown under it,
and every `chainrule` command shown runs and prints exactly what the README says.

Conventions in README.md:
- a ```python block followed directly by a ```text block: run the code (all Python
  blocks share one namespace, in order, in a scratch folder), compare stdout; a block
  that imports torch runs where PyTorch is installed (always under
  CHAINRULE_REQUIRE_TORCH=1, as in CI);
- a ```console block: each `$ chainrule ...` line is run and its output compared with
  the lines after it, up to the next `$` line; `$ printf '%s\n' A B ... | chainrule ...`
  runs the command with the lines A, B, ... on its standard input (a piped quiz);
  `$ make ...` lines are set-up commands that this suite cannot run from inside
  itself, and are skipped.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TORCH_REQUIRED

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
PIPED = re.compile(r"^printf '%s\\n' (.*?) \| (chainrule .*)$")  # answers piped in


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(README.read_text())]


def _python_examples() -> list[tuple[str, str]]:
    blocks = _blocks()
    return [
        (code, blocks[i + 1][1])
        for i, (kind, code) in enumerate(blocks)
        if kind == "python" and i + 1 < len(blocks) and blocks[i + 1][0] == "text"
    ]


def _console_commands() -> list[tuple[str, str]]:
    commands = []
    for kind, body in _blocks():
        if kind != "console":
            continue
        current, output = None, []
        for line in body.splitlines():
            if line.startswith("$ "):
                if current:
                    commands.append((current, "\n".join(output)))
                current, output = line[2:], []
            else:
                output.append(line)
        if current:
            commands.append((current, "\n".join(output)))
    return [(cmd, out) for cmd, out in commands if cmd.startswith("chainrule ") or PIPED.match(cmd)]


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def test_the_readme_has_examples_and_commands_to_check():
    assert len(_python_examples()) >= 2
    assert len(_console_commands()) >= 2


def _torch_missing() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        if TORCH_REQUIRED:
            pytest.fail("CHAINRULE_REQUIRE_TORCH=1 but PyTorch is not installed")
        return True
    return False


def test_python_examples_print_what_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    left_out = 0
    for code, expected in _python_examples():
        if re.search(r"^import torch$", code, re.M) and _torch_missing():
            left_out += 1
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(README), "exec"), namespace)
        assert _tidy(out.getvalue()) == _tidy(expected), code
    if left_out:
        pytest.skip(f"every example ran except {left_out} that need PyTorch (not installed)")


@pytest.mark.parametrize(
    "command,expected", _console_commands(), ids=lambda c: c[:60] if isinstance(c, str) else ""
)
def test_commands_print_what_the_readme_shows(command, expected, tmp_path):
    lines = ""
    piped = PIPED.match(command)
    if piped:
        lines = "".join(line + "\n" for line in shlex.split(piped.group(1)))
        command = piped.group(2)
    argv = [sys.executable, "-m", "autograd", *shlex.split(command)[1:]]
    result = subprocess.run(
        argv, input=lines, capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert _tidy(result.stdout) == _tidy(expected)

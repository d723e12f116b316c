"""The README's picture of the stepper page: docs/stepper-page.png.

    .venv/bin/python docs/screenshot.py

Writes the page of the README's exercise with the command line
(``chainrule steps "tanh(x - y*z)" x=3 y=2 z=1 --html ...``), opens it in headless
Chromium (Debian's ``chromium``, driven by Playwright: ``pip install playwright``,
never ``playwright install``), switches to quiz mode, answers three steps (the third
with a sign error, which the page diagnoses) and saves what the window shows.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from autograd.cli import main

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def screenshot(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "steps.html"
        command = ["steps", "tanh(x - y*z)", "x=3", "y=2", "z=1", "--html", str(page_path)]
        if main(command) != 0:
            sys.exit("chainrule could not write the page")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                str(Path(folder) / "profile"),
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": 960, "height": 720},
            )
            page = browser.new_page()
            page.goto(page_path.as_uri())
            page.get_by_role("button", name="Quiz mode", exact=True).click()
            for answer in ("0.42", "0.42", "0.42"):  # right, right, a sign error
                page.get_by_role("textbox").fill(answer)
                page.keyboard.press("Enter")
            page.mouse.move(0, 0)  # no hover colour on the last button clicked
            page.screenshot(path=str(out))
            browser.close()


if __name__ == "__main__":
    target = HERE / "stepper-page.png"
    screenshot(target)
    print(f"wrote {target}")

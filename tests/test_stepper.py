"""Stepping through backprop: the stepper (headless and its widget), the quiz widget,
and the stepper as one self-contained web page, tested in a real browser.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, or
``CHAINRULE_CHROMIUM``) headless with Playwright, never Playwright's own browser
download. Without playwright or Chromium they skip with a reason;
``CHAINRULE_REQUIRE_BROWSER=1`` (set by .ci/run) turns that skip into a failure.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from examples import SVG, classic, needs_pure

from autograd import Value
from autograd.grading import Quiz
from autograd.render import RendererNotFoundError
from autograd.stepper import Stepper


def grads(values) -> dict:
    return {name: v.grad for name, v in values.items()}


@pytest.fixture
def no_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError


# ------------------------------------------------------------------ the stepper, headless
def test_the_stepper_moves_between_start_and_end_and_stops_there():
    L, _ = classic()
    s = Stepper(L)
    assert len(s) == 6 and s.position == 0 and s.at_start
    assert s.previous() is False and s.position == 0
    for k in range(1, 7):
        assert s.next() is True and s.position == k
    assert s.at_end and s.next() is False and s.position == 6
    assert s.previous() is True and s.position == 5
    assert s.go(2) == 2 and s.position == 2


@pytest.mark.parametrize(
    "bad, error", [(-1, ValueError), (7, ValueError), (1.0, TypeError), (True, TypeError)]
)
def test_the_stepper_refuses_positions_outside_the_pass(bad, error):
    L, _ = classic()
    s = Stepper(L)
    with pytest.raises(error, match="position"):
        s.go(bad)
    assert s.position == 0


def test_each_position_shows_its_step_and_chain_rule_line():
    L, v = classic()
    s = Stepper(L)
    assert s.step(0) is None
    assert s.caption(0) == (
        "start: L.grad = ∂L/∂L = 1, every other grad starts at 0 (6 steps to go)"
    )
    assert s.step(5).input is v["a"]
    assert s.caption(5) == "step 5 of 6: " + str(s.steps[4])
    assert "a.grad += ∂e/∂a × e.grad = -3.0000 × -2.0000 = 6.0000" in s.caption(5)
    s.go(5)
    assert s.caption() == s.caption(5) and s.step() is s.steps[4]


def test_grads_are_shown_as_they_stand_after_each_step():
    L, v = classic()
    s = Stepper(L)
    start = s.grads(0)
    assert start[v["L"]] == 1.0 and all(start[x] == 0.0 for name, x in v.items() if name != "L")
    after_two = s.grads(2)
    assert after_two[v["d"]] == -2.0 and after_two[v["f"]] == 4.0 and after_two[v["e"]] == 0.0
    L.backward()
    assert {x: s.grads(6)[x] for x in v.values()} == {x: x.grad for x in v.values()}


def test_the_stepper_changes_no_grad_and_ignores_earlier_backward_calls():
    L, v = classic()
    L.backward()
    before = grads(v)
    s = Stepper(L)
    assert grads(v) == before
    # the leaves hold 6 after one backward; the replayed pass still ends at 6, not 12
    assert s.grads(6)[v["a"]] == 6.0
    assert s.steps[4].grad == 6.0


def test_the_stepper_of_a_leaf_has_only_a_start():
    s = Stepper(Value(3.0, label="x"))
    assert len(s) == 0 and s.at_start and s.at_end
    assert s.next() is False
    assert "nothing to backpropagate" in s.caption()


def test_each_positions_drawing_highlights_its_step_and_shows_its_grads():
    L, v = classic()
    s = Stepper(L, params=[v["a"]])
    assert "class=highlight" not in s.drawing(0).source
    third = s.drawing(3).source  # dL/de += dd/de * dL/dd
    assert third.count("class=highlight") == 2
    assert "grad -2.0000" in third and "grad 6.0000" not in third  # a has not been reached
    assert s.drawing(6).source.count("grad 6.0000") == 1
    assert 'class="value param"' in third  # draw options pass through


def test_bad_draw_options_fail_when_the_stepper_is_made():
    L, _ = classic()
    with pytest.raises(ValueError, match="rankdir"):
        Stepper(L, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        Stepper(L, max_nodes=3)


def test_the_stepper_sets_highlight_and_grads_itself():
    L, _ = classic()
    with pytest.raises(TypeError, match="highlight"):
        Stepper(L, highlight=None)


# ------------------------------------------------------------------ the widget
def widget_parts(box):
    (previous, slider, following), picture, caption = box.children[0].children, *box.children[1:]
    return previous, slider, following, picture, caption


def test_the_widget_buttons_and_slider_move_the_stepper(renderer):
    L, _ = classic()
    s = Stepper(L)
    previous, slider, following, picture, caption = widget_parts(s.widget())
    assert (slider.min, slider.max, slider.value) == (0, 6, 0)
    assert previous.disabled and not following.disabled
    assert "start: L.grad = ∂L/∂L = 1" in caption.value
    following.click()
    assert s.position == 1 and slider.value == 1 and not previous.disabled
    assert "step 1 of 6: d.grad += ∂L/∂d × L.grad" in caption.value
    slider.value = 6
    assert s.position == 6 and following.disabled
    following.click()
    assert s.position == 6
    previous.click()
    assert s.position == 5 and "step 5 of 6" in caption.value


@needs_pure
def test_the_widget_shows_the_rendered_graph_of_the_current_step(renderer):
    L, _ = classic()
    s = Stepper(L)
    _, slider, _, picture, _ = widget_parts(s.widget())
    slider.value = 3
    svg = ET.fromstring(picture.value)
    assert svg.tag == f"{SVG}svg"
    highlighted = [g for g in svg.iter(f"{SVG}g") if "highlight" in (g.get("class") or "")]
    assert len(highlighted) == 2


def test_the_widget_shows_the_renderer_message_when_there_is_none(no_renderer):
    L, _ = classic()
    _, _, _, picture, _ = widget_parts(Stepper(L).widget())
    assert "pip install graphviz-pure" in picture.value


def test_without_ipywidgets_the_widget_says_how_to_install_it(no_ipywidgets):
    L, _ = classic()
    s = Stepper(L)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebook\]'"):
        s.widget()
    s.next()  # the headless stepper works without it
    assert s.caption().startswith("step 1 of 6")


def test_without_ipywidgets_displaying_a_stepper_shows_the_message_and_the_table(
    no_ipywidgets, capsys
):
    L, _ = classic()
    Stepper(L)._ipython_display_()
    out = capsys.readouterr().out
    assert "chainrule[notebook]" in out
    assert "b.grad += ∂e/∂b × e.grad" in out


def test_the_stepper_shows_the_graph_as_it_was_when_made():
    L, v = classic()
    s = Stepper(L)
    before = s.drawing(6).source
    v["a"].data = 50.0  # a training step after the stepper was made
    L.backward()
    assert s.drawing(6).source == before
    assert "data 2.0000" in before and "data 50" not in before


def test_the_stepper_records_the_pass_with_one_walk(monkeypatch):
    import autograd.steps as steps_module

    calls = []
    original = steps_module.topological_order
    monkeypatch.setattr(steps_module, "topological_order", lambda r: calls.append(r) or original(r))
    L, _ = classic()
    Stepper(L)
    assert len(calls) == 1


# ------------------------------------------------------------------ the quiz widget
def quiz_parts(box):
    picture, heading, (answer, check), feedback, score = (
        box.children[0],
        box.children[1],
        box.children[2].children,
        box.children[3],
        box.children[4],
    )
    return picture, heading, answer, check, feedback, score


def test_the_quiz_widget_grades_each_answer_and_applies_the_step():
    L, _ = classic()
    s = Stepper(L)
    picture, heading, answer, check, feedback, score = quiz_parts(s.quiz_widget())
    assert "step 1 of 6: d.grad += ∂L/∂d × L.grad" in heading.value
    assert answer.description == "∂L/∂d × L.grad ="
    answer.value = "-2"  # what Enter sends
    assert "right: d.grad += ∂L/∂d × L.grad" in feedback.value
    assert s.position == 1 and score.value == "score: 1/1" and answer.value == ""
    answer.value = "-4"  # step 2 is 4: a sign error
    assert "wrong: ∂L/∂f × L.grad = 4.0000, not -4" in feedback.value
    assert "sign: " in feedback.value and score.value == "score: 1/2"
    assert "step 3 of 6" in heading.value


def test_the_quiz_widget_ignores_an_empty_box_and_ends_with_the_score():
    x = Value(2.0, label="x")
    y = x * 3.0
    s = Stepper(y)
    _, heading, answer, check, feedback, score = quiz_parts(s.quiz_widget())
    check.click()  # nothing typed: nothing graded
    assert score.value == "score: 0/0"
    answer.value = "3"
    answer.value = "2"  # the constant's step: ∂n/∂3 = x = 2
    assert "every step answered" in heading.value and answer.disabled and check.disabled
    assert score.value == "score: 2/2"


@needs_pure
def test_the_quiz_widget_hides_the_local_derivatives_it_asks_for(renderer):
    L, _ = classic()
    picture, *_ = quiz_parts(Stepper(L).quiz_widget())
    svg = ET.fromstring(picture.value)
    edges = [g for g in svg.iter(f"{SVG}g") if "edge" in (g.get("class") or "").split()]
    assert len(edges) == 9 and all(not list(g.iter(f"{SVG}text")) for g in edges)


def test_the_quiz_widget_can_ask_the_local_derivative_first():
    L, _ = classic()
    s = Stepper(L)
    _, heading, answer, _, feedback, score = quiz_parts(s.quiz_widget(ask_local=True))
    assert answer.description == "∂L/∂d ="
    answer.value = "-2"
    assert "right: ∂L/∂d = -2.0000" in feedback.value and s.position == 0
    assert answer.description == "∂L/∂d × L.grad ="


def test_without_ipywidgets_the_quiz_widget_says_how_to_install_it(no_ipywidgets):
    L, _ = classic()
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebook\]'"):
        Stepper(L).quiz_widget()


# ------------------------------------------------------------------ the page, as text
def page_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="chainrule-data">(.*?)</script>', page)
    return json.loads(found.group(1))


def test_the_page_is_one_file_that_refers_to_nothing_else(renderer):
    L, _ = classic()
    page = Stepper(L).html()
    for reference in ("src=", "href=", "<link", "url(", "@import", "<iframe", "<object"):
        assert reference not in page
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= namespaces
    assert page.count("<script") == 2 and page.count("<style>") == 1


def test_the_page_has_one_inline_picture_per_position_and_unique_ids(renderer):
    L, _ = classic()
    page = Stepper(L).html()
    positions = re.findall(r'<div class="state" data-position="(\d+)"', page)
    assert positions == [str(k) for k in range(7)]
    assert page.count("<svg ") == 7
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_the_page_carries_every_line_and_the_quiz_of_every_step(renderer):
    L, _ = classic()
    s = Stepper(L)
    data = page_data(s.html())
    assert data["captions"] == [s.caption(k) for k in range(7)]
    quiz = Quiz(L)
    assert [q["rightLine"] for q in data["questions"]] == [str(step) for step in s.steps]
    assert [float(q["expected"]) for q in data["questions"]] == [q.expected for q in quiz.questions]
    assert [m["kind"] for m in data["questions"][0]["mistakes"]] == [
        m.kind for m in quiz.questions[0].mistakes
    ]


def test_text_typed_as_a_label_cannot_break_out_of_the_page(renderer):
    x = Value(2.0, label="</script><script>alert(1)</script>")
    y = x * 3.0
    y.label = "<b>y</b>"
    page = Stepper(y).html(title="<i>title</i>")
    assert page.count("<script") == 2 and "<b>y</b>" not in page and "<i>title</i>" not in page
    assert page_data(page)["questions"][0]["rightLine"].startswith("</script><script>")


def test_save_html_writes_the_page_and_returns_its_path(renderer, tmp_path):
    L, _ = classic()
    path = Stepper(L).save_html(tmp_path / "new" / "steps.html", title="L = (a*b + c)*f")
    assert path == tmp_path / "new" / "steps.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<title>L = (a*b + c)*f</title>" in text


def test_save_html_without_a_renderer_raises_and_writes_nothing(no_renderer, tmp_path):
    L, _ = classic()
    with pytest.raises(RendererNotFoundError):
        Stepper(L).save_html(tmp_path / "steps.html")
    assert not (tmp_path / "steps.html").exists()


# ------------------------------------------------------------------ the page, in a browser
BROWSER_REQUIRED = os.environ.get("CHAINRULE_REQUIRE_BROWSER") == "1"
CHROMIUM = Path(os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _no_browser(reason: str):
    if BROWSER_REQUIRED:
        pytest.fail(f"CHAINRULE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"{reason}: browser tests skipped (.ci/run installs chromium and playwright)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium (Debian's) driven by Playwright, with a fresh profile."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _no_browser(f"there is no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 700},
        )
        yield context
        context.close()


class Opened:
    """A page opened in the browser, with every request it made and every error."""

    def __init__(self, browser, path: Path):
        self.path = path
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def state(self) -> dict:
        """What the page shows now: the line, the visible picture and its red edge."""
        return self.page.evaluate(
            """() => {
                const shown = [...document.querySelectorAll('#graph .state')]
                    .filter((s) => !s.hidden);
                const edges = shown.length ? [...shown[0].querySelectorAll('g.edge.highlight')]
                    .map((g) => g.querySelector('title').textContent) : [];
                const current = document.querySelector('#table tr.current td');
                return {
                    line: document.getElementById('line').textContent,
                    shown: shown.map((s) => Number(s.dataset.position)),
                    edges: edges,
                    slider: Number(document.getElementById('slider').value),
                    row: current ? Number(current.textContent) : 0,
                };
            }"""
        )

    def assert_offline_and_clean(self):
        assert self.requests == [self.path.as_uri()]  # the file itself, nothing else
        assert self.errors == []


@pytest.fixture
def open_page(browser, renderer, tmp_path):
    pages = []

    def open_(stepper: Stepper, name: str = "steps.html") -> Opened:
        opened = Opened(browser, stepper.save_html(tmp_path / name))
        pages.append(opened)
        return opened

    yield open_
    for opened in pages:
        opened.page.close()


def expected_state(stepper: Stepper, k: int) -> dict:
    """The line, picture, red edge, slider and table row that position k must show."""
    index = {node: i for i, node in enumerate(stepper.steps.order)}
    edges = []
    if k:
        step = stepper.steps[k - 1]
        edges = [f"v{index[step.input]}->op{index[step.node]}", f"op{index[step.node]}->v"]
        edges[1] += str(index[step.node])
    return {"line": stepper.caption(k), "shown": [k], "edges": edges, "slider": k, "row": k}


@pytest.mark.browser
def test_the_page_shows_every_step_with_next_and_previous(open_page):
    L, _ = classic()
    s = Stepper(L)
    opened = open_page(s)
    assert opened.button("Previous").is_disabled()
    assert opened.state() == expected_state(s, 0)
    for k in range(1, 7):
        opened.button("Next").click()
        state = opened.state()
        assert state == expected_state(s, k)
        assert str(s.steps[k - 1]) in state["line"]
    assert opened.button("Next").is_disabled()
    for k in range(5, -1, -1):
        opened.button("Previous").click()
        assert opened.state() == expected_state(s, k)
    opened.assert_offline_and_clean()


@pytest.mark.browser
def test_the_arrow_keys_and_the_slider_move_through_the_steps(open_page):
    L, _ = classic()
    s = Stepper(L)
    opened = open_page(s)
    page = opened.page
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert opened.state() == expected_state(s, 2)
    page.keyboard.press("ArrowLeft")
    assert opened.state() == expected_state(s, 1)
    slider = page.get_by_role("slider", name="Step")
    slider.focus()
    page.keyboard.press("End")
    assert opened.state() == expected_state(s, 6)
    page.keyboard.press("ArrowLeft")  # the slider's own key: one step, not two
    assert opened.state() == expected_state(s, 5)
    page.keyboard.press("Home")
    assert opened.state() == expected_state(s, 0)
    opened.assert_offline_and_clean()


def chain(length: int) -> Value:
    x = Value(0.5, label="x")
    y = x
    for _ in range(length):
        y = (y * 0.9).tanh()
    return y


EDGE_IN_VIEW = """() => {
    const graph = document.getElementById('graph');
    const box = graph.getBoundingClientRect();
    const shown = [...graph.querySelectorAll('.state')].find((s) => !s.hidden);
    const r = shown.querySelector('g.edge.highlight').getBoundingClientRect();
    return {inside: r.top >= box.top && r.bottom <= box.bottom,
            scrolls: graph.scrollHeight > graph.clientHeight, top: graph.scrollTop};
}"""


@pytest.mark.browser
def test_the_highlighted_edge_is_scrolled_into_view(open_page):
    s = Stepper(chain(8), rankdir="TB", legend=False)  # taller than its box: it scrolls
    opened = open_page(s)
    page = opened.page
    page.get_by_role("slider", name="Step").focus()
    page.keyboard.press("ArrowRight")  # step 1, at the root: the bottom of the graph
    first = page.evaluate(EDGE_IN_VIEW)
    assert first["scrolls"] and first["inside"] and first["top"] > 0
    page.keyboard.press("End")  # the last step, at the leaf x: the top
    last = page.evaluate(EDGE_IN_VIEW)
    assert last["inside"] and last["top"] < first["top"]
    opened.assert_offline_and_clean()


@pytest.mark.browser
def test_quiz_mode_checks_a_right_and_a_wrong_answer_in_the_page(open_page):
    L, _ = classic()
    s = Stepper(L)
    opened = open_page(s)
    page = opened.page
    opened.button("Quiz mode").click()
    assert opened.button("Quiz mode").get_attribute("aria-pressed") == "true"
    assert page.locator("#question").text_content() == "step 1 of 6: d.grad += ∂L/∂d × L.grad"
    label = page.locator("#graph .state:not([hidden]) g.edge text").first
    assert label.evaluate("(t) => getComputedStyle(t).visibility") == "hidden"
    answer = page.get_by_label("∂L/∂d × L.grad =")
    answer.fill("-2")
    answer.press("Enter")
    feedback = page.locator("#feedback")
    assert feedback.text_content() == f"right: {s.steps[0]}"
    assert page.locator("#score").text_content() == "score: 1/1"
    assert opened.state()["slider"] == 1
    assert page.locator("#question").text_content().startswith("step 2 of 6")
    page.get_by_label("∂L/∂f × L.grad =").fill("-4")  # 4: a sign error
    opened.button("Check").click()
    text = feedback.text_content()
    assert text.startswith("wrong: ∂L/∂f × L.grad = 4.0000, not -4\nsign: ")
    assert text.endswith(str(s.steps[1]))
    assert page.locator("#score").text_content() == "score: 1/2"
    assert page.locator("#table tbody tr:visible").count() == 2  # steps ahead stay hidden
    opened.assert_offline_and_clean()


ANSWERS = [
    "", "  ", "abc", "1/0", "0/0", "nan", "-NaN", "0,5", "1e400", "1e400/1e400", " -0 ", "1/2",
    " 1 / 4 ", "1/2/3", "9" * 61, "9" * 60, "17", "\u22121.5", "\uff11", "+inf", "-Infinity",
    ".5", "5.", "2E2", "1_000", "--1", "x = 3",
]  # fmt: skip


@pytest.mark.browser
def test_the_page_grades_every_answer_as_the_python_quiz_does(open_page):
    a, b = Value(0.3, label="a"), Value(-1.7, label="b")
    h = (a * b + 2.2).tanh()
    root = (h * h + a.exp() - b.sigmoid()) * (a - b)
    s = Stepper(root)
    opened = open_page(s)
    quiz = Quiz(s.steps)
    for k, question in enumerate(quiz.questions):
        typed = [repr(question.expected), *(repr(m.value) for m in question.mistakes), *ANSWERS]
        page_says = opened.page.evaluate(
            "([k, typed]) => typed.map((t) => window.chainrule.grade(k, t).text)", [k, typed]
        )
        assert page_says == [str(question.grade(t)) for t in typed]
    opened.assert_offline_and_clean()


@pytest.mark.browser
def test_the_page_makes_no_request_even_for_addresses_in_labels(open_page):
    x = Value(2.0, label="http://example.com/x.png")
    y = Value(3.0, label='<img src="http://example.com/y.png">')
    z = x * y
    opened = open_page(Stepper(z))
    opened.button("Next").click()
    opened.button("Quiz mode").click()
    opened.page.get_by_role("textbox").fill("3")
    opened.page.keyboard.press("Enter")
    opened.button("Actual size").click()
    opened.assert_offline_and_clean()


@pytest.mark.browser
def test_the_controls_have_names_and_keyboard_focus_is_visible(open_page):
    L, _ = classic()
    opened = open_page(Stepper(L))
    page = opened.page
    for name in ("Previous", "Next", "Quiz mode", "Actual size"):
        assert opened.button(name).count() == 1
    assert page.get_by_role("slider", name="Step").count() == 1
    page.keyboard.press("Tab")  # Previous is disabled at the start: the slider first
    focused = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return [document.activeElement.id, s.outlineStyle, parseFloat(s.outlineWidth)];
        }"""
    )
    assert focused[0] == "slider" and focused[1] == "solid" and focused[2] >= 2
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "next"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


CONTRAST = """(selectors) => selectors.map((selector) => {
    const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
    const element = document.querySelector(selector);
    let background = null;
    for (let node = element; node && !background; node = node.parentElement) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length < 4 || c[3] > 0) background = c;
    }
    const lum = (c) => {
        const f = (x) => {
            x /= 255;
            return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const [hi, lo] = [lum(rgb(getComputedStyle(element).color)), lum(background || [255, 255, 255])]
        .sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
})"""


@pytest.mark.browser
def test_text_and_controls_keep_enough_contrast(open_page):
    L, _ = classic()
    opened = open_page(Stepper(L))
    page = opened.page
    opened.button("Next").click()
    opened.button("Quiz mode").click()
    page.get_by_role("textbox").fill("5")
    page.keyboard.press("Enter")  # a wrong answer: the red feedback
    selectors = ["h1", ".intro", "#line", "#next", "#previous", "#quiz-mode", "#question",
                 "#feedback", "#score", "#table tr.current td", "#table th"]  # fmt: skip
    ratios = page.evaluate(CONTRAST, selectors)
    assert all(r >= 4.5 for r in ratios), list(zip(selectors, ratios))
    page.get_by_role("textbox").fill("4")
    page.keyboard.press("Enter")  # a right one: the green feedback
    assert page.evaluate(CONTRAST, ["#feedback"])[0] >= 4.5


@pytest.mark.browser
def test_the_page_of_a_leaf_has_nothing_to_step(open_page):
    opened = open_page(Stepper(Value(3.0, label="x")))
    assert opened.button("Next").is_disabled() and opened.button("Previous").is_disabled()
    assert "nothing to backpropagate" in opened.state()["line"]
    opened.button("Quiz mode").click()
    assert opened.page.locator("#question").text_content() == "There is no step."
    opened.assert_offline_and_clean()

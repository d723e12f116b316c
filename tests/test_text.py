"""How views write numbers and user text (autograd.text)."""

from autograd.text import message_html, number, one_line, visible


def test_numbers_show_four_decimals_or_an_exponent_and_no_negative_zero():
    fmt = number
    assert [fmt(x) for x in (2.0, -3.14159, 0.0, -0.0, 1e-5, 2.5e8)] == [
        "2.0000",
        "-3.1416",
        "0.0000",
        "0.0000",
        "1.0000e-05",
        "2.5000e+08",
    ]
    assert [fmt(x) for x in (float("inf"), float("-inf"), float("nan"))] == ["inf", "-inf", "nan"]


def test_visible_spells_control_characters_and_keeps_newlines():
    assert visible("a\tb\x07c\nd\r\ne") == "a\\tb\\x07c\nd\ne"
    assert visible("∂L/∂w 日本 🙂") == "∂L/∂w 日本 🙂"


def test_one_line_spells_newlines_too():
    assert one_line("two\nlines\t!") == "two\\nlines\\t!"
    assert "\n" not in one_line("\n" * 5)


def test_a_message_box_escapes_its_title_and_message():
    box = message_html("<b>title</b>", "a < b & c")
    assert "&lt;b&gt;title&lt;/b&gt;" in box and "a &lt; b &amp; c" in box
    assert "<b>&lt;b&gt;" in box  # the title itself is bold

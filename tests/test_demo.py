"""nn.demo: micrograd's demo trained with nn, as `chainrule train` runs it."""

import sys

from autograd.cli import main
from nn.demo import train_demo


def test_the_demo_reaches_100_percent_training_accuracy_and_writes_the_plots(tmp_path, capsys, agg):
    result = train_demo(out=str(tmp_path / "plots"))
    out, err = capsys.readouterr()
    assert result.accuracy == 1.0
    assert "training accuracy 100% (100/100 points)" in out
    assert "100/100" in err  # the progress bar
    for name in ("loss.png", "boundary.png"):
        assert (tmp_path / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_demo_without_progress_or_plots_prints_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train_demo(epochs=3, out=None, progress=False)
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 and out.startswith("training accuracy") and err == ""
    assert list(tmp_path.iterdir()) == []


def test_the_demo_skips_plots_without_matplotlib(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    train_demo(epochs=2, out=str(tmp_path), progress=False)
    assert "pip install 'chainrule[plot]'" in capsys.readouterr().err


def test_chainrule_train_passes_its_options_to_the_demo(capsys, monkeypatch):
    calls = []
    monkeypatch.setattr("nn.demo.train_demo", lambda **options: calls.append(options))
    assert main(["train", "--epochs", "5", "--seed", "7", "--quiet", "--no-plots"]) == 0
    assert calls == [{"epochs": 5, "seed": 7, "out": None, "progress": False}]


def test_chainrule_train_checks_the_plot_folder_before_training(capsys, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr("nn.demo.train_demo", lambda **options: calls.append(options))
    blocker = tmp_path / "file"
    blocker.write_text("")
    for out in ("", str(blocker), str(blocker / "sub")):
        assert main(["train", "--out", out]) == 2
        err = capsys.readouterr().err
        assert err.startswith("chainrule: error: --out") and err.count("\n") == 1
    assert calls == []  # nothing was trained
    assert main(["train", "--out", str(tmp_path / "new" / "plots")]) == 0
    assert (tmp_path / "new" / "plots").is_dir()

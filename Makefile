# Two commands set up everything on a fresh machine: `make demo` and `make test`.
# Each creates .venv if it is missing and installs what it needs into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
OUT    := out

.PHONY: demo test bench bench-smoke notebook notebooks readme-graph readme-screenshot clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Stamps record which extras are installed; they are redone when pyproject.toml changes.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[plot]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.notebook-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[notebook]'
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432
	$(BIN)/chainrule draw "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432 -o $(OUT)/neuron.svg
	$(BIN)/chainrule train --out $(OUT)

# The linter and the formatter check first (configured in pyproject.toml), then the suite.
test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) -m pytest tests notebooks --nbmake

$(VENV)/.bench-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) benchmarks/run.py --json $(OUT)/bench.json

bench-smoke: $(VENV)/.bench-installed
	$(PY) benchmarks/run.py --smoke

notebook: $(VENV)/.notebook-installed
	$(BIN)/jupyter lab notebooks

# Re-execute every notebook in place (they are committed executed), printing each one's time.
notebooks: $(VENV)/.test-installed
	$(PY) notebooks/execute.py notebooks/*.ipynb

# The picture in the README: regenerate it with `make readme-graph`.
readme-graph: $(VENV)/.demo-installed
	$(BIN)/chainrule draw "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432 --params w1,w2,b -o docs/neuron.svg

# The README's screenshot of the stepper page (needs Debian's chromium: see .ci/run).
readme-screenshot: $(VENV)/.test-installed
	$(PY) -m pip install -q -e '.[browser]'
	$(PY) docs/screenshot.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis

# Every target creates the virtual environment it needs, so a fresh machine
# with python3 and make is enough.
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench fake clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@$(PYTHON) examples/demo.py

test: lint typecheck pytest

lint: $(STAMP)
	$(PYTHON) -m ruff check scalekit_async tests benchmarks examples
	$(PYTHON) -m ruff format --check scalekit_async tests benchmarks examples

typecheck: $(STAMP)
	$(PYTHON) -m mypy

pytest: $(STAMP)
	$(PYTHON) -m pytest -q

bench: $(STAMP)
	$(PYTHON) -m benchmarks

fake: $(STAMP)
	$(PYTHON) -m scalekit_async.testing --port 8765

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

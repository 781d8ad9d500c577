# Doorstep: two commands. `make run` sets everything up and serves the app on SQLite;
# `make test` sets up the same way and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
STATIC := app/static/govuk
# pip prints a warning per package for the machine's optional local indexes; keep the output readable.
PIP_QUIET := 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true

.PHONY: run test setup assets db lint format bench clean translations

run: setup db
	@echo "Doorstep: http://127.0.0.1:5000  (scheduler runs beside it; Ctrl+C stops both)"
	@$(BIN)/python -c "from app.config import Settings; print(Settings().delivery_banner())"
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) scheduler run & \
	  $(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Translations: the .po files are checked in; setup compiles each to the .mo the app reads (no network).
# tests/test_translations.py fails when a catalogue misses a string or a .mo is older than its .po.
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

setup: $(VENV)/.stamp-deps $(STATIC)/.stamp $(MO_FILES)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(VENV)/.stamp-deps
	$(BIN)/pybabel compile -i $< -o $@  # fuzzy entries are left out (and fail the tests)

# After changing any text residents read: extract, merge into each language (app/i18n_extract.py),
# translate the new empty entries, then `make setup` compiles them.
translations: $(VENV)/.stamp-deps
	$(BIN)/python -m app.i18n_extract

$(VENV)/.stamp-deps: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip $(PIP_QUIET)
	$(BIN)/python -m pip install -q -e '.[dev]' $(PIP_QUIET)
	$(BIN)/python -c "import flask, ortools, twilio, icalendar, psycopg, pytest, importlinter"
	touch $@

# GOV.UK Frontend from the npm registry, version pinned to match govuk-frontend-jinja. Its Sass is
# compiled with the settings for a service not on GOV.UK (app/assets/council.scss: Arial, no GDS font).
# Its assets folder (the GDS font, the crown's icons and images) is GOV.UK's own: not copied.
$(STATIC)/.stamp: package.json package-lock.json app/assets/council.scss Makefile
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(STATIC) && mkdir -p $(STATIC)
	npx sass --no-source-map --style=compressed --pkg-importer=node app/assets/council.scss $(STATIC)/govuk-frontend.min.css
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(STATIC)/
	rm -rf app/static/leaflet && cp -r node_modules/leaflet/dist app/static/leaflet
	touch $@

assets: $(STATIC)/.stamp

db: setup
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) demo bookings --count 150

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m pip install -q -e '.[dev,bench]' $(PIP_QUIET)

clean:
	rm -rf $(VENV) node_modules $(STATIC) app/static/leaflet instance

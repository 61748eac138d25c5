# The README's commands. `make run` serves the demo; `make test` runs every test.
PORT ?= 8000
HOST ?= 127.0.0.1
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HTMX_DIST := node_modules/htmx.org/dist/htmx.min.js

.PHONY: install run test bench screenshots translations extract-messages clean

install: $(VENV)/.installed static/vendor/htmx.min.js translations

# Reinstall only when the dependency list changes, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(HTMX_DIST): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: $(HTMX_DIST)
	mkdir -p static/vendor
	cp $(HTMX_DIST) $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations -D messages

# For developers: refresh the catalogues after changing user-facing text.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update -N -i app/translations/messages.pot -d app/translations

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	HOST=$(HOST) PORT=$(PORT) exec $(BIN)/gunicorn --config app/gunicorn_conf.py wsgi:app

test: install
	$(BIN)/python tests/browser_deps.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Timing scripts, not tests (bench/README.md): writes bench/results.md and results.json.
# BENCH_ARGS=--quick tries it out in a few minutes.
bench: install
	command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq wrk; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq wrk; fi; }
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# The README's tour (docs/screenshots/tour-*.png), photographed from the demo data.
screenshots: install
	$(BIN)/python tests/browser_deps.py
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) node_modules static/vendor

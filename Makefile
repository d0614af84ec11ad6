# Trame: `make run` serves the demo, `make test` runs the suite. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist); one module stays on one process (tests/support/
# parallel.py). TEST_PROCESSES=0 runs it in this process.
TEST_PROCESSES ?= auto

.PHONY: run test bench install install-test lint migrate demo worker beat messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# The web server and, beside it, the periodic tasks (reminders, outbox retries) that beat runs
# in production. Both in the background of one shell that waits for the server: Ctrl-C or a
# SIGTERM to make (which make passes on to this shell) stops both. PORT goes to the server's
# environment: links in e-mails follow it (settings.SITE_URL) unless SITE_URL is set.
run: demo
	@PORT=$(PORT) $(BIN)/python manage.py run_periodic & periodic=$$!; \
	PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	trap 'kill $$server $$periodic 2>/dev/null; wait; exit 130' INT TERM; \
	trap 'kill $$server $$periodic 2>/dev/null' EXIT; \
	wait $$server

test: install-test
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install-test
	$(BIN)/python manage.py french_catalog

bench: install-test
	$(BIN)/python -m bench

worker: install
	$(BIN)/celery -A cls_platform worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A cls_platform beat --loglevel=INFO --schedule=var/celerybeat-schedule

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

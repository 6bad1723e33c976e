# The few verbs people need. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo run test test-fast lint format migrations-check bench clean

# (Re)install when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Embedded demo: SQLite + filesystem broker; web on 127.0.0.1:8000, worker with beat. Ctrl-C stops all.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py send_reminders --digest
	@echo ""
	@echo "  Open http://127.0.0.1:8000/ and sign in with one of the logins above."
	@echo "  Web server, Celery worker and beat scheduler are starting; Ctrl-C stops all of them."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.demo start

# Run the whole suite (browser tests included). DATABASE_URL / REDIS_URL switch the services.
test: install
	QMS_TESTING=1 $(BIN)/pytest $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: install
	QMS_TESTING=1 $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# Scale benchmarks on PostgreSQL (see bench/README.md); not part of the test suite.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qms_bench
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/generate.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/bench_rollups.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/bench_import.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/bench_dashboard.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/bench_evidence.py

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache

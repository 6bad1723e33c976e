# The few verbs people need. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo demo-sso run test test-fast lint format migrations-check bench clean

# (Re)install when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# DEBUG is off unless set (qms/settings.py); the demo turns it on for itself, which also gives
# it a local secret key. `make test` gets the same through QMS_TESTING.
demo demo-sso bench: export DEBUG ?= True

# Embedded demo: SQLite + filesystem broker; web on 127.0.0.1:$(DEMO_PORT), worker with beat.
# Procfile.demo prints the logins once the web server answers. Ctrl-C stops all.
DEMO_PORT ?= 8000
demo: export DEMO_PORT := $(DEMO_PORT)
demo: export QMS_BASE_URL ?= http://127.0.0.1:$(DEMO_PORT)
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --no-logins
	$(PY) manage.py send_reminders --digest
	@echo ""
	@echo "  Starting the web server, the Celery worker and its beat scheduler; the logins follow."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.demo start

# The demo with sign-in through a local identity provider (127.0.0.1:8090, demo accounts).
DEV_IDP := http://127.0.0.1:8090
demo-sso: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Open http://127.0.0.1:8000/ and choose 'Sign in with the demo identity provider'."
	@echo ""
	OIDC_RP_CLIENT_ID=qms-dev OIDC_RP_CLIENT_SECRET=dev-secret \
	OIDC_OP_AUTHORIZATION_ENDPOINT=$(DEV_IDP)/authorize OIDC_OP_TOKEN_ENDPOINT=$(DEV_IDP)/token \
	OIDC_OP_USER_ENDPOINT=$(DEV_IDP)/userinfo OIDC_OP_JWKS_ENDPOINT=$(DEV_IDP)/jwks \
	OIDC_OP_ISSUER=$(DEV_IDP) OIDC_PROVIDER_NAME="the demo identity provider" \
	OIDC_DOMAIN_ORGANIZATIONS=acme.example=acme \
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.demo-sso start

# Run the whole suite (browser tests included) on every core, in random order (pytest-randomly
# prints the seed; PYTEST_ARGS=--randomly-seed=N replays one). PYTEST_WORKERS=0 runs it in one
# process; PYTEST_ARGS adds pytest options or picks tests. DATABASE_URL / REDIS_URL switch the
# services. Tests marked real_worker share one xdist group (loadgroup), the rest spread out.
PYTEST_WORKERS ?= auto
PYTEST := QMS_TESTING=1 $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup
test: install
	$(PYTEST) $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: install
	$(PYTEST) -m "not e2e" $(PYTEST_ARGS)

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

# Load test (bench/README.md): gunicorn with production settings, 50 Locust users for 60 s.
.PHONY: bench-load
bench-load: install
	$(BIN)/pip install --quiet -e '.[bench]'
	DEBUG=True DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/generate.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/bench_load.py

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache

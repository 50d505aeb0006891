# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 5000
CATALOGS := coordination/translations
export FLASK_APP := wsgi

.PHONY: run worker test e2e load translations extract-messages lint bench replica replica-stop help clean

# A .venv without a working interpreter or pip (a first `make run` stopped
# while it was being created) is not usable: it is deleted and built again,
# instead of every later `make run` or `make test` failing until someone
# removes it by hand.
VENV_USABLE = $(BIN)/python -m pip --version >/dev/null 2>&1
VENV_BROKEN := $(shell [ -e $(VENV) ] && ! $(VENV_USABLE) && echo yes)
ifeq ($(VENV_BROKEN),yes)
.PHONY: $(STAMP)
endif

$(STAMP): setup.cfg pyproject.toml
	@if [ -e $(VENV) ] && ! $(VENV_USABLE); then \
		echo "$(VENV) is unusable (no working python or pip): building it again"; \
		rm -rf $(VENV); \
	fi
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV) (log: $(VENV)/install.log) ..."
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -e '.[dev]'; } > $(VENV)/install.log 2>&1 \
	   || { tail -n 40 $(VENV)/install.log; exit 1; }
	touch $(STAMP)

## Compile the .po catalogs into the .mo files Flask-Babel reads.
translations: $(STAMP)
	$(BIN)/pybabel -q compile -f -d $(CATALOGS)

## The app with demo data on the embedded SQLite database (DATABASE_URL overrides).
run: translations
	$(BIN)/flask db upgrade
	$(BIN)/flask territories load
	$(BIN)/flask load-demo --if-empty
	$(BIN)/flask statistics rebuild --if-empty
	$(BIN)/flask visibility rebuild --if-empty
	@$(BIN)/flask demo-accounts
	@echo "Serving on http://127.0.0.1:$(PORT)"
	@# The delivery worker runs beside the app only when a channel is on and
	@# Redis answers (docs/deliveries.md); otherwise the outbox waits.
	@if $(BIN)/flask deliveries ready; then \
		$(BIN)/flask deliveries work & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT); \
	else \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT); \
	fi

## The delivery worker (RQ with its scheduler, on REDIS_URL): sends the outbox's e-mail, SMS and webhooks (docs/deliveries.md).
worker: translations
	$(BIN)/flask deliveries work

## The whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
test: translations
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(BIN)/python -m pytest; \
	fi

E2E_STAMP := $(VENV)/.e2e-stamp

$(E2E_STAMP): $(STAMP)
	$(BIN)/python -m pip install -e '.[dev,e2e]' > $(VENV)/install-e2e.log 2>&1 \
	   || { tail -n 40 $(VENV)/install-e2e.log; exit 1; }
	touch $(E2E_STAMP)

## Browser journeys (Playwright driving Debian's /usr/bin/chromium; no browser download).
e2e: translations $(E2E_STAMP)
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest tests_e2e -p no:cacheprovider

LOAD_STAMP := $(VENV)/.load-stamp

$(LOAD_STAMP): $(STAMP)
	$(BIN)/python -m pip install -e '.[dev,load]' > $(VENV)/install-load.log 2>&1 \
	   || { tail -n 40 $(VENV)/install-load.log; exit 1; }
	touch $(LOAD_STAMP)

## Load test: gunicorn (2 workers, loopback) on a synthetic database seeded once
## and reused, Locust for 60 s; LOAD_CASES (200000), LOAD_DATABASE_URL (default a
## SQLite file in instance/) and more in docs/PERFORMANCE.md. Prints a final name=value line.
load: translations $(LOAD_STAMP)
	$(BIN)/python -m bench.load.run

## Refresh messages.pot and the catalogs after changing user-facing strings.
extract-messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location \
		--sort-by-file -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel -q update -N -i $(CATALOGS)/messages.pot -d $(CATALOGS)

## Benchmarks on synthetic data: BENCH_CASES (200000), BENCH_DATABASE_URL (a SQLite
## file under instance/ by default; PostgreSQL works the same). docs/PERFORMANCE.md.
bench: translations
	$(BIN)/python bench/run.py

## A streaming read replica of the local PostgreSQL on 127.0.0.1:5433 (pg_basebackup;
## REPLICA_PORT, REPLICA_DIR; docs/replica.md): DATABASE_REPLICA_URL is then the
## primary's URL with that port. Prepares the primary once; keeps a healthy replica.
replica:
	scripts/replica start

## Stop the read replica and delete its data directory.
replica-stop:
	scripts/replica stop

## Static analysis: ruff everywhere, bandit on the application code (each
## `# nosec` says why on its line or the line above).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r coordination forms exports

## What each target does (the comments above them).
help:
	@awk '/^## / { sub(/^## /, ""); doc = doc (doc ? " " : "") $$0; next } \
	      /^[a-z][a-z0-9-]*:/ && doc { split($$0, t, ":"); printf "%-16s %s\n", t[1], doc } \
	      { doc = "" }' Makefile

clean:
	@if [ -x scripts/replica ] && [ -d instance ] && ls -d instance/replica-* >/dev/null 2>&1; then \
		scripts/replica stop; fi
	rm -rf $(VENV) instance .pytest_cache

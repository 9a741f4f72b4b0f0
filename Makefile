# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432
export FLASK_APP := wsgi

.PHONY: run test setup lint clean bench bench-visit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.make-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

.make-dev: requirements-dev.txt requirements.txt .make-runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

# System packages, each with the command that shows it is there: Chromium for
# the browser tests, espeak-ng for the audio captcha, lynx for the text-browser
# test (a lookup through the audio captcha), nginx and iproute2 (ip netns) for
# the two-host test, Kannel (bearerbox, smsbox and its fakesmsc test SMSC,
# in kannel-extras) for the SMS tests, PgBouncer for the transaction-pooling test. Installed when we can (root with apt); otherwise the tests
# say what is missing (and fail under CI=true rather than skip).
SYSTEM_PKGS := chromium espeak-ng lynx nginx iproute2 kannel kannel-extras pgbouncer
SYSTEM_CMDS := chromium espeak-ng lynx nginx ip /usr/sbin/bearerbox /usr/sbin/smsbox /usr/lib/kannel/test/fakesmsc /usr/sbin/pgbouncer
.make-system:
	@missing=0; for c in $(SYSTEM_CMDS); do command -v $$c >/dev/null || missing=1; done; \
	if [ $$missing = 0 ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PKGS) >/dev/null; \
	else echo "Install $(SYSTEM_PKGS) with your package manager (browser tests, audio captcha, text browser, two-host test, SMS, PgBouncer)."; fi
	@touch $@

# Compiled translations (.mo) are not committed: built from the .po here, and
# by webapp.i18n at start-up when a .po is newer (for a bare `flask run`/pytest).
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/*.po))
$(MO): %.mo: %.po | .make-runtime
	$(BIN)/pybabel -q compile -d translations

setup: .make-runtime $(MO)
	$(BIN)/flask setup

# nginx on PORT buffers requests and holds idle/slow connections, gunicorn
# behind it on PORT+1 (deploy/serve.sh). The job queue's consumer (e-mail,
# imports, periodic jobs) runs beside them and is stopped, by its own pid,
# when they end. With testing switches (FLASK_TESTING, FLASK_HUEY_IMMEDIATE)
# jobs run inline and no consumer is started (huey would refuse one).
run: .make-system setup
	@echo "Cek Bansos Lite: http://127.0.0.1:$(PORT)"
	@if $(BIN)/flask antrean --perlu-konsumen; then \
	  $(BIN)/huey_consumer webapp.tasks.huey --workers 2 & consumer=$$!; \
	  trap 'kill $$consumer 2>/dev/null; wait $$consumer' EXIT; \
	else echo "Tugas berjalan langsung (mode testing): konsumen antrean tidak dijalankan."; fi; \
	PORT=$(PORT) BIN=$(BIN) deploy/serve.sh

# The whole suite on SQLite (with the browser tests), then again on PostgreSQL
# when it is reachable — always under CI=true, where an unreachable server fails.
test: .make-dev .make-system $(MO)
	$(BIN)/ruff check webapp tests bench wsgi.py
	$(BIN)/python -m pytest
	@if [ "$$CI" = "true" ] || $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_PG_URL)/postgres', connect_timeout=2).close()" 2>/dev/null; then \
	  echo "== the same suite on PostgreSQL ($(TEST_PG_URL)) =="; \
	  TEST_DATABASE=postgresql TEST_PG_URL=$(TEST_PG_URL) $(BIN)/python -m pytest --ignore=tests/browser; \
	else echo "PostgreSQL not reachable at $(TEST_PG_URL): PostgreSQL run skipped (it never is under CI=true)."; fi

lint: .make-dev
	$(BIN)/ruff check webapp tests bench wsgi.py

# Benchmarks (issue #7; not part of `make test`): generate a registry on SQLite and
# PostgreSQL, then measure everything in one run. Needs wrk. BENCH_PERSONS=10000000
# for the figures in docs/benchmarks.md. Databases go to $(BENCH_DIR) and bench_registry.
BENCH_PERSONS ?= 1000000
BENCH_DIR ?= /tmp/bench
bench: .make-runtime .make-system
	@command -v wrk >/dev/null || { echo "bench needs wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python -m bench.generate --backend sqlite --persons $(BENCH_PERSONS) --out $(BENCH_DIR)/sqlite/cekbansos.sqlite3
	$(BIN)/python -m bench.generate --backend postgresql --persons $(BENCH_PERSONS) --out $(TEST_PG_URL)/bench_registry
	$(BIN)/python -m bench.run_all --sqlite $(BENCH_DIR)/sqlite/cekbansos.sqlite3 --postgresql $(TEST_PG_URL)/bench_registry
	$(BIN)/python -m bench.visit --db $(BENCH_DIR)/visit/cekbansos.sqlite3
	$(BIN)/python -m bench.regioncache --db $(BENCH_DIR)/visit/cekbansos.sqlite3

# One person's whole lookup (page + captcha image + 3 region fragments + htmx
# search) on a real gunicorn, server CPU against a cached fragment, and the
# search POST against a minimal lookup in one process (issue #19). Generates a
# 50 000-person SQLite registry in $(BENCH_DIR)/visit when missing.
bench-visit: .make-runtime
	$(BIN)/python -m bench.visit --db $(BENCH_DIR)/visit/cekbansos.sqlite3

clean:
	rm -rf $(VENV) .make-* .pytest_cache

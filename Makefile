# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432
export FLASK_APP := wsgi

.PHONY: run test setup lint clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.make-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

.make-dev: requirements-dev.txt requirements.txt .make-runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

# System packages: Chromium for the browser tests, espeak-ng for the audio
# captcha, nginx in front of gunicorn for `make run` (deploy/serve.sh).
# Installed when we can (root with apt); otherwise the tests say what is
# missing (and fail under CI=true rather than skip).
.make-system:
	@if command -v chromium >/dev/null && command -v espeak-ng >/dev/null && \
	  { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium espeak-ng nginx-light >/dev/null; \
	else echo "Install chromium, espeak-ng and nginx with your package manager (browser tests, audio captcha, make run)."; fi
	@touch $@

# Compiled translations (.mo) are not committed: built from the .po here, and
# by webapp.i18n at start-up when a .po is newer (for a bare `flask run`/pytest).
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/*.po))
$(MO): %.mo: %.po | .make-runtime
	$(BIN)/pybabel -q compile -d translations

setup: .make-runtime $(MO)
	$(BIN)/flask setup

# nginx on PORT buffers requests and holds idle/slow connections, gunicorn
# behind it on PORT+1 (deploy/serve.sh). The job queue's consumer (e-mail)
# runs beside them and is stopped, by its own pid, when they end.
run: .make-system setup
	@echo "Cek Bansos Lite: http://127.0.0.1:$(PORT)"
	$(BIN)/huey_consumer webapp.tasks.huey --workers 2 & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer' EXIT; \
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
bench: .make-runtime
	@command -v wrk >/dev/null || { echo "bench needs wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python -m bench.generate --backend sqlite --persons $(BENCH_PERSONS) --out $(BENCH_DIR)/sqlite/cekbansos.sqlite3
	$(BIN)/python -m bench.generate --backend postgresql --persons $(BENCH_PERSONS) --out $(TEST_PG_URL)/bench_registry
	$(BIN)/python -m bench.run_all --sqlite $(BENCH_DIR)/sqlite/cekbansos.sqlite3 --postgresql $(TEST_PG_URL)/bench_registry

clean:
	rm -rf $(VENV) .make-* .pytest_cache

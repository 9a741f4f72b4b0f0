#!/usr/bin/env bash
# What `make run` serves: nginx on HOST:PORT in front of gunicorn on
# 127.0.0.1:APP_PORT (see deploy/nginx-local.conf for why). Stops both when
# it ends; either one exiting ends the other.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
APP_PORT=${APP_PORT:-$((PORT + 1))}
APP=${APP:-wsgi:app}
RUN=${RUN_DIR:-$PWD/instance/run}
BIN=${BIN:-.venv/bin}
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
mkdir -p -m 0700 "$RUN"
sed -e "s|@RUN@|$RUN|g" -e "s|@HOST@|$HOST|g" -e "s|@PORT@|$PORT|g" -e "s|@APP_PORT@|$APP_PORT|g" \
  deploy/nginx-local.conf > "$RUN/nginx.conf"
# nginx passes the client's address in X-Forwarded-For: the app trusts one proxy.
export FLASK_TRUSTED_PROXY_COUNT=${FLASK_TRUSTED_PROXY_COUNT:-1}
HOST=127.0.0.1 PORT=$APP_PORT "$BIN/gunicorn" -c gunicorn.conf.py "$APP" & app=$!
nginx -p "$RUN" -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" & proxy=$!
trap 'kill $proxy $app 2>/dev/null; wait $proxy $app 2>/dev/null' EXIT INT TERM
wait -n $proxy $app

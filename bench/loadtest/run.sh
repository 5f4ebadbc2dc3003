#!/usr/bin/env bash
# Load test on loopback: gunicorn (deploy/gunicorn.conf.py) + PostgreSQL (its own database) +
# Redis cache, 20 locust users for a bounded time; prints req/s and p50/p95/p99 per page.
#
#   bench/loadtest/run.sh                     # county data in database shuangyong_load_county
#   LOAD_SCOPE=province bench/loadtest/run.sh # province data in shuangyong_load (≈30 min to generate)
#
# Settings: LOAD_SCOPE (county|province), LOAD_DB, LOAD_USERS (20), LOAD_DURATION (90s),
# LOAD_PORT (8765), LOAD_SEED (1). An existing database is reused (only migrated), so a
# province dataset is generated once.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCOPE=${LOAD_SCOPE:-county}
if [ "$SCOPE" = province ]; then DEFAULT_DB=shuangyong_load; else DEFAULT_DB=shuangyong_load_county; fi
DB=${LOAD_DB:-$DEFAULT_DB}
USERS=${LOAD_USERS:-20}
DURATION=${LOAD_DURATION:-90s}
PORT=${LOAD_PORT:-8765}
OUT=bench/out
mkdir -p "$OUT"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/13}
export SHUANGYONG_ENV=development DEBUG=0 ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY=load-test-only-not-a-production-secret-0123456789abcdef
export SHUANGYONG_VAR_DIR="$PWD/$OUT/var"
export DJANGO_SETTINGS_MODULE=shuangyong.settings.base
PY=.venv/bin/python

if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
  echo "==> 新建数据库 $DB 并生成 $SCOPE 规模数据"
  createdb -h 127.0.0.1 -U postgres "$DB"
  $PY manage.py migrate --noinput -v0
  /usr/bin/time -f "生成用时 %e 秒，最大内存 %M KB" \
    $PY manage.py generate_scale_data --scope "$SCOPE" --seed "${LOAD_SEED:-1}"
else
  $PY manage.py migrate --noinput -v0
fi
# Hashed static files for WhiteNoise under this run's var dir (DEBUG is off, as in production).
$PY manage.py collectstatic --noinput -v0
$PY bench/loadtest/targets.py "$OUT/targets.json"
redis-cli -u "$REDIS_URL" flushdb >/dev/null 2>&1 || true  # start with a cold cache

echo "==> gunicorn on 127.0.0.1:$PORT"
GUNICORN_BIND=127.0.0.1:$PORT .venv/bin/gunicorn -c deploy/gunicorn.conf.py shuangyong.wsgi \
  >"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
trap 'kill $GUNICORN_PID 2>/dev/null || true; wait $GUNICORN_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz"; echo

echo "==> locust: $USERS users, $DURATION"
LOAD_TARGETS="$OUT/targets.json" .venv/bin/locust -f bench/loadtest/locustfile.py --headless \
  -u "$USERS" -r 2 -t "$DURATION" --reset-stats --host "http://127.0.0.1:$PORT" \
  --csv "$OUT/load" --only-summary --stop-timeout 5 --loglevel WARNING >"$OUT/locust.log" 2>&1 || true
$PY bench/loadtest/summarize.py "$OUT/load"

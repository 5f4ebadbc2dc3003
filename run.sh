#!/usr/bin/env bash
# One command: install, migrate, load the demo county, start the reminder worker and the portal.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
PY=.venv/bin/python
# Hashed, compressed static files for WhiteNoise (DEBUG is off unless DEBUG=1 is set).
$PY manage.py collectstatic --noinput -v0
$PY manage.py migrate --noinput
$PY manage.py seed_demo
$PY manage.py setup_schedules

mkdir -p var/log
# Celery worker with an embedded beat: Redis when REDIS_URL is set, else a broker on disk.
.venv/bin/celery -A shuangyong worker --beat --pool=solo --loglevel=INFO \
  --schedule var/celerybeat-schedule >var/log/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

cat <<MSG

==============================================================
 双拥通已启动：http://127.0.0.1:8000/
 演示账号见上方（密码均为 Shuangyong@2026）
 提醒任务日志：var/log/celery.log      按 Ctrl+C 停止
==============================================================

MSG
$PY manage.py runserver --nostatic 127.0.0.1:8000

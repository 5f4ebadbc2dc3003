#!/usr/bin/env bash
# Creates .venv with Python 3.11 and installs the pinned requirements; skips the install when
# the requirement files have not changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$candidate; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "需要 Python 3.11（未找到 python3.11）" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-dev.txt build-constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> 安装依赖（首次需要几分钟）"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.3"
  # --build-constraint keeps setuptools<81 for xstatic-bootstrap's sdist (it needs pkg_resources).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --build-constraint build-constraints.txt -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

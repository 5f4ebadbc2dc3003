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

# axe-core for the accessibility browser test (tests/browser/test_accessibility.py), from the
# npm registry as pinned in package-lock.json; reinstalled when the lock file changes.
npm_stamp=node_modules/.package-lock.sha256
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || {
    echo "需要 npm（Node.js）来安装无障碍检查工具 axe-core：apt-get install -y npm" >&2; exit 1; }
  echo "==> 安装 axe-core（npm ci）"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi

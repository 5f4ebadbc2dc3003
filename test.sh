#!/usr/bin/env bash
# One command: install, then run the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when no test ran: that is a failure here, never a success.
[ $status -eq 5 ] && echo "没有运行任何测试" >&2
exit $status

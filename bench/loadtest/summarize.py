"""Print requests/second and p50/p95/p99 per page from locust's ``--csv`` statistics."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGET_P95_MS = 150


def main(prefix: str) -> int:
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    print(f"{'page':<18} {'requests':>8} {'fails':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    slow = []
    for row in rows:
        if int(row["Request Count"]) == 0:  # e.g. login: every login came before the statistics reset
            continue
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        p95 = float(row["95%"] or 0)
        print(
            f"{name:<18} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
        if name not in {"ALL", "login", "login page"} and p95 > TARGET_P95_MS:
            slow.append(name)
    failures = sum(int(r["Failure Count"]) for r in rows if r["Name"] == "Aggregated")
    print(f"目标：每页 p95 < {TARGET_P95_MS} ms，无错误。超标页面：{', '.join(slow) or '无'}；错误：{failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

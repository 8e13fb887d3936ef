"""`make bench`: seed the benchmark database to size, then measure. Prints a table."""

from __future__ import annotations

import argparse
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import audit_overhead, dashboard, exports  # noqa: E402
from bench.setup import ensure_size  # noqa: E402
from milestones.models import Milestone  # noqa: E402
from partners.models import Exchange  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--milestones", type=int, default=1_000)
    args = parser.parse_args()
    setup_test_environment()  # lets the test client read templates' context
    ensure_size(exchanges=args.exchanges, milestones=args.milestones)
    size = f"{Milestone.objects.count()} milestones, {Exchange.objects.count()} exchanges"
    print(f"database: {connection.vendor}; {size}")
    print(f"{'page':<28} {'median':>10} {'queries':>8}")
    for name, run in [("dashboard", dashboard.dashboard), ("exchange admin list", dashboard.exchange_admin_list)]:
        result = run()
        print(f"{name:<28} {result['median_s'] * 1000:>8.0f} ms {result['queries']:>8}")
    for line in exports.report():
        print(line)
    audit_overhead.main()


if __name__ == "__main__":
    main()

"""Benchmark the report pages and downloads at a given number of returns (not a test).

    .venv/bin/python scripts/bench_reports.py                  # 1,000 returns, throwaway database
    .venv/bin/python scripts/bench_reports.py -n 5000 --runs 3
    .venv/bin/python scripts/bench_reports.py --current-db     # in DATABASE_URL, rolled back

It builds N synthetic boroughs, each with an accepted return (with care roles, contacts, measures,
funding lines and some data-quality notes) in one published round, then requests every report
page and download through Django's test client as a steering-group user, and prints per URL the
median and fastest time over the runs, the number of queries and the response size.

By default the data go into a throwaway database made like the test database (SQLite in memory,
or test_<name> on PostgreSQL, dropped at the end). With --current-db they go into the configured
database inside a transaction that is rolled back, so nothing stays.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcmh.settings")
os.environ.setdefault("TESTING", "1")  # plain static files storage, no two-factor prompt

import django  # noqa: E402

django.setup()
# The figures are the output: keep the per-request export events out of them.
logging.getLogger("pcmh.security").setLevel(logging.WARNING)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

from boroughs.models import STEERING_GROUP, Borough  # noqa: E402
from reports.exports import EXPORT_FILES  # noqa: E402
from tests.reports.synthetic import synthetic_round  # noqa: E402

PAGES = ("summary", "stp_tables", "map", "boroughs", "report", "data_quality")
DOWNLOADS = ("tables_csv", "data_dictionary", "returns_xlsx", "summary_json")


class Rollback(Exception):
    """Raised to undo everything the benchmark wrote to the current database."""


def report_urls(survey_round, borough) -> dict[str, str]:
    slug = survey_round.slug
    urls = {name: reverse(f"reports:{name}", args=[slug]) for name in PAGES + DOWNLOADS}
    urls["stp_table"] = reverse("reports:stp_table", args=[slug, borough.stp.slug])
    urls["borough"] = reverse("reports:borough", args=[slug, borough.slug])
    urls["boroughs?filter"] = reverse("reports:boroughs", args=[slug]) + "?status=pilot"
    for name in EXPORT_FILES:
        urls[f"{name}.csv"] = reverse("reports:data_csv", args=[slug, name])
    return urls


def fetch(client, url) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return len(content)


def build(count: int):
    started = time.perf_counter()
    survey_round, boroughs = synthetic_round(
        count, name=f"Benchmark {count}", slug=f"bench-{count}"
    )
    user = get_user_model().objects.create_user("bench-reader", is_staff=True)
    user.groups.add(Group.objects.get(name=STEERING_GROUP))
    borough = Borough.objects.select_related("stp").get(pk=boroughs[0].pk)
    print(f"built {count:,} returns in {time.perf_counter() - started:.1f} s")
    return survey_round, borough, user


def bench(count: int, runs: int) -> None:
    survey_round, borough, user = build(count)
    client = Client()
    client.force_login(user)
    urls = report_urls(survey_round, borough)
    boroughs = Borough.objects.count()
    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    print(
        f"\n{count:,} returns ({boroughs:,} boroughs in the register), {runs} runs per URL, "
        f"database: {database}, DEBUG={settings.DEBUG}\n"
    )
    print(f"{'page or download':<22} {'median ms':>10} {'min ms':>9} {'queries':>8} {'bytes':>12}")
    for name, url in urls.items():
        reset_queries()  # the query log is a bounded deque: counting needs room in it
        with CaptureQueriesContext(connection) as captured:
            size = fetch(client, url)  # also warms caches and templates
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            fetch(client, url)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<22} {statistics.median(timings):>10.1f} {min(timings):>9.1f} "
            f"{len(captured):>8} {size:>12,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--returns", type=int, default=1000, help="returns to build")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per URL")
    parser.add_argument(
        "--current-db",
        action="store_true",
        help="use the configured database (inside a transaction rolled back at the end)",
    )
    args = parser.parse_args()
    setup_test_environment()  # lets the test client's host in
    try:
        if args.current_db:
            try:
                with transaction.atomic():
                    bench(args.returns, args.runs)
                    raise Rollback
            except Rollback:
                print("\nrolled back: the database is as it was")
        else:
            old_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                bench(args.returns, args.runs)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        teardown_test_environment()


if __name__ == "__main__":
    main()

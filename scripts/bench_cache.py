"""Benchmark the published report's cache (not a test): each page and download of a published
round computed (the cache emptied before each request) and served from the cache, the median
server time of each, beside a trivial view's (the accessibility statement, a template and no
query). Goal: a cached page within 1.5 times the trivial view.

    .venv/bin/python scripts/bench_cache.py                 # 1,000 returns, throwaway database
    .venv/bin/python scripts/bench_cache.py -n 5000 --runs 9

The round is built as scripts/bench_reports.py builds it, then published (version 1 of its
publication, its returns frozen), and read by a reader who is not signed in, through Django's
test client in this process (server time: no network, no gunicorn).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_reports  # noqa: E402 - sets Django up
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

from reports.cache import new_generation  # noqa: E402
from surveys import publications  # noqa: E402
from surveys.models import Publication  # noqa: E402


def timed(client, url, runs, *, cold: bool) -> tuple[float, int]:
    """The median ms of `runs` requests (each with an empty cache if `cold`), and the queries
    of the last."""
    timings = []
    for _ in range(runs):
        if cold:
            new_generation()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            bench_reports.fetch(client, url)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(captured)


def bench(count: int, runs: int) -> None:
    survey_round, borough, _ = bench_reports.build(count)
    publications.freeze(Publication.objects.create(survey_round=survey_round, version=1))
    client = Client()
    urls = bench_reports.report_urls(survey_round, borough)
    trivial_url = reverse("accessibility")
    bench_reports.fetch(client, trivial_url)
    trivial, _ = timed(client, trivial_url, runs * 3, cold=False)
    print(f"\n{count:,} returns, {runs} runs per URL, database: {connection.vendor}")
    print(f"trivial view ({trivial_url}): {trivial:.2f} ms\n")
    print(
        f"{'page or download':<22} {'uncached ms':>12} {'cached ms':>10} {'queries':>8} "
        f"{'speed-up':>9} {'× trivial':>10}"
    )
    worst = 0.0
    for name, url in urls.items():
        uncached, _ = timed(client, url, runs, cold=True)
        bench_reports.fetch(client, url)  # into the cache
        cached, queries = timed(client, url, runs, cold=False)
        worst = max(worst, cached / trivial)
        print(
            f"{name:<22} {uncached:>12.1f} {cached:>10.2f} {queries:>8} "
            f"{uncached / cached:>8.0f}× {cached / trivial:>9.2f}×"
        )
    print(f"\nslowest cached page: {worst:.2f}× the trivial view (goal: at most 1.5×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--returns", type=int, default=1000, help="returns to build")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per URL and kind")
    args = parser.parse_args()
    setup_test_environment()  # lets the test client's host in
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        bench(args.returns, args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()

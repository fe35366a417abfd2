"""Benchmark the report pages and downloads at national sizes (not a test: it prints figures).

    .venv/bin/python scripts/bench_reports.py                    # 32 and 1,000 units, SQLite
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_reports.py --sizes 32,5000 --runs 5

For each size it makes a throwaway database like the test database (SQLite in memory, or
test_<name> on PostgreSQL, dropped at the end), fills it with `manage.py generate_data --units N
--rounds 1` (a published round, every return accepted, every kind of child row; at 32, London's
own register with synthetic returns), runs ANALYZE, and then prints, with the goal beside each
figure:

- per report page and download, read by a steering-group member, with no cache: its queries at
  each size, its median server time at the largest size and the ratio of that time to a trivial
  view's (an empty page through the same middleware, measured in the same run; goal: summary
  ≤ 3×), and beside them its reads replayed raw through the cursor (the database's part alone,
  the floor of the page's time) and that floor's ratio to the trivial view;
- each figure function against its own SQL replayed raw through the database cursor (the floor:
  the same aggregation without Django; goal ≤ 2×, the Python side included);
- the full CSV exports and returns.xlsx: rows per second and peak Python memory at each size
  (goal ≥ 20,000 rows/s, memory flat), and on PostgreSQL the rows per second of the database
  writing the same rows as CSV itself (COPY of the download's queries: the floor, no Python);
- a lead's task list and care-roles saves with 2 and 10 rows (queries and time; goal: the same
  queries at 2 and 10), and the admin's list of returns filtered and searched.

`make bench` runs it, then scripts/bench_imports.py (import preview and confirmation).
Machines differ by several times from day to day: compare the ratios, not the milliseconds.
"""

import argparse
import logging
import os
import statistics
import sys
import time
import tracemalloc
import types
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcmh.settings")
os.environ.setdefault("TESTING", "1")  # plain static files storage, no two-factor prompt

import django  # noqa: E402

django.setup()
# The figures are the output: keep the per-request events and the generator's log out of them.
logging.getLogger("pcmh.security").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise, without DEBUG

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from boroughs.models import STEERING_GROUP, Borough, BoroughMembership  # noqa: E402
from reports import queries  # noqa: E402
from reports.exports import EXPORT_FILES  # noqa: E402
from surveys.choices import CareRoleType, ReturnState, RoundState  # noqa: E402
from surveys.models import CareRole, ScopingReturn, SurveyRound  # noqa: E402

PAGES = ("summary", "stp_tables", "map", "boroughs", "report", "data_quality", "changes")
DOWNLOADS = ("tables_csv", "data_dictionary", "returns_xlsx", "summary_json")
SUMMARY_GOAL = 3.0
FLOOR_GOAL = 2.0
ROWS_GOAL = 20_000


def trivial(request):
    return HttpResponse("ok")


# The site's URLs and a trivial page, answered through the same middleware.
bench_urls = types.ModuleType("bench_urls")
bench_urls.urlpatterns = [path("bench/trivial/", trivial), path("", include("pcmh.urls"))]
sys.modules["bench_urls"] = bench_urls


def fetch(client, url, method="get", data=None) -> tuple[int, int]:
    response = getattr(client, method)(url, data) if data is not None else client.get(url)
    if response.status_code not in (200, 302):
        raise SystemExit(f"{url} answered {response.status_code}")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(content)


class Counted:
    """Counts the queries run inside it (whatever DEBUG and the query log say)."""

    def __init__(self):
        self.count = 0
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        self.statements.append((sql, params))
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapped = connection.execute_wrapper(self)
        self._wrapped.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapped.__exit__(*exc)

    def __len__(self):
        return self.count


def timed(client, url, runs) -> tuple[float, int, float]:
    """The median time in ms of `runs` requests, the queries of one, and the median ms of those
    queries' reads replayed raw through the cursor (the database's part: `replayed`)."""
    counted = []
    for _ in range(2):  # the fewer of two: the session's once-a-minute refresh is in one at most
        with Counted() as captured:
            fetch(client, url)  # also warms templates
        counted.append(captured)
    captured = min(counted, key=len)
    ms = _median_ms(lambda: fetch(client, url), runs)
    return ms, len(captured), replayed(captured.statements, runs)


def _median_ms(call, runs) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _reads(statements) -> list:
    return [
        (sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")
    ]


def replayed(statements, runs) -> float:
    """The median ms of the reads among `statements` replayed through the database cursor, each
    fetched whole: what the database and the driver take, without Django."""

    def raw():
        with connection.cursor() as cursor:
            for sql, params in _reads(statements):
                cursor.execute(sql, params)
                cursor.fetchall()

    return _median_ms(raw, runs)


class _Sink:
    """Where COPY's output goes: counted, not kept."""

    size = 0

    def write(self, data):
        self.size += len(data)


def copied(statements, runs) -> float | None:
    """The median ms PostgreSQL takes to write the rows of the reads among `statements` as CSV
    itself (COPY … TO STDOUT, read by the driver): a download's floor, no Python making its
    lines. None on SQLite, which has no COPY."""
    if connection.vendor != "postgresql":
        return None

    def copy():
        with connection.cursor() as cursor:
            driver = cursor.cursor  # psycopg2's own, for copy_expert
            for sql, params in _reads(statements):
                query = driver.mogrify(sql, params).decode()
                driver.copy_expert(f"COPY ({query}) TO STDOUT WITH CSV", _Sink())

    return _median_ms(copy, runs)


def report_urls(slug, borough) -> dict[str, str]:
    urls = {name: reverse(f"reports:{name}", args=[slug]) for name in PAGES + DOWNLOADS}
    urls["stp_table"] = reverse("reports:stp_table", args=[slug, borough.stp.slug])
    urls["borough"] = reverse("reports:borough", args=[slug, borough.slug])
    urls["boroughs?filter"] = reverse("reports:boroughs", args=[slug]) + "?status=pilot"
    for name in EXPORT_FILES:
        urls[f"{name}.csv"] = reverse("reports:data_csv", args=[slug, name])
    return urls


def london_round():
    """London's register as it is (32 units) with a published round of synthetic returns:
    generate_data only adds units to London's."""
    from surveys.models import Publication
    from surveys.publications import freeze
    from tests.factories import SurveyRoundFactory
    from tests.reports.synthetic import add_returns

    survey_round = SurveyRoundFactory(state=RoundState.PUBLISHED, slug="london")
    add_returns(survey_round, list(Borough.objects.all()))
    freeze(Publication.objects.create(survey_round=survey_round, version=1))


def build(units: int):
    started = time.perf_counter()
    if units <= Borough.objects.count():
        london_round()
    else:
        with open(os.devnull, "w") as quiet:
            call_command("generate_data", units=units, rounds=1, seed=1, stdout=quiet)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    survey_round = SurveyRound.objects.get(state=RoundState.PUBLISHED)
    reader = get_user_model().objects.create_user("bench-reader", is_staff=True)
    reader.groups.add(Group.objects.get(name=STEERING_GROUP))
    admin = get_user_model().objects.create_superuser("bench-admin", "a@example.org", "x")
    print(
        f"generated {survey_round.returns.count():,} returns in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor})"
    )
    return survey_round, reader, admin


def figure_functions(report) -> dict:
    """Each figure function, called on a report of its own (so nothing is kept between calls)."""

    def fresh():
        return queries.report_for(report.survey_round, None)

    return {
        "figure_counts (summary)": lambda: queries.figure_counts(fresh()),
        "ages": lambda: queries.ages(fresh()),
        "care_roles": lambda: queries.care_roles(fresh()),
        "aims": lambda: queries.aims(fresh()),
        "appendix_rows": lambda: queries.appendix_rows(fresh()),
        "not_stated": lambda: queries.not_stated(fresh()),
    }


def against_raw_sql(function, runs) -> tuple[float, float]:
    """The function's median time and that of its own SQL replayed through the cursor (ms)."""
    with Counted() as captured:
        function()
    return _median_ms(function, runs), replayed(captured.statements, runs)


def streamed(client, url, runs) -> tuple[float, int, float | None]:
    """Seconds to read the whole download, the peak Python memory (bytes) of another read,
    traced (tracing slows Python down several times), and the seconds PostgreSQL takes to
    write its queries' rows as CSV itself (`copied`, the floor; None on SQLite)."""

    def read():
        response = client.get(url)
        chunks = response.streaming_content if response.streaming else [response.content]
        return sum(chunk.count(b"\n") for chunk in chunks)

    with Counted() as captured:
        started = time.perf_counter()
        read()
        seconds = time.perf_counter() - started
    tracemalloc.start()
    read()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    floor = copied(captured.statements, runs)
    return seconds, peak, None if floor is None else floor / 1000


def lead_pages(reader_borough, runs) -> list[tuple[str, float, int]]:
    """A lead's task list and care-roles saves with 2 and 10 rows, in an open round."""
    today = timezone.localdate()
    survey_round = SurveyRound.objects.create(
        name="Bench open round",
        slug="bench-open",
        opens_on=today,
        closes_on=today + timezone.timedelta(days=30),
        state=RoundState.OPEN,
    )
    draft = ScopingReturn.objects.create(
        survey_round=survey_round, borough=reader_borough, state=ReturnState.DRAFT
    )
    lead = get_user_model().objects.create_user("bench-lead")
    BoroughMembership.objects.create(user=lead, borough=reader_borough)
    client = Client()
    client.force_login(lead)
    task_list = reverse("surveys:return", args=[survey_round.slug, reader_borough.slug])
    section = reverse(
        "surveys:section", args=[survey_round.slug, reader_borough.slug, "care-roles"]
    )
    results = [("task list", *timed(client, task_list, runs)[:2])]
    from tests.helpers.html_forms import as_post, response_form_data

    roles = CareRoleType.values
    for count in (2, 10):
        CareRole.objects.filter(scoping_return=draft).delete()
        CareRole.objects.bulk_create(
            CareRole(scoping_return=draft, role=roles[i % len(roles)], wte="1.0")
            for i in range(count)
        )
        timings, queries_seen = [], []
        for run in range(runs):
            data = response_form_data(client.get(section), button="later")
            data["care_roles-0-wte"] = f"{2 + run}.5"  # one row changed, the others as shown
            with Counted() as captured:
                started = time.perf_counter()
                fetch(client, section, "post", as_post(data))
                timings.append((time.perf_counter() - started) * 1000)
            queries_seen.append(len(captured))
        results.append(
            (f"care-roles save, {count} rows", statistics.median(timings), queries_seen[0])
        )
    return results


def bench_size(units, runs, results) -> None:
    survey_round, reader, admin = build(units)
    client = Client()
    client.force_login(reader)
    borough = Borough.objects.select_related("stp").filter(returns__survey_round=survey_round)[0]
    urls = report_urls(survey_round.slug, borough)
    results.setdefault("trivial", {})[units] = timed(client, "/bench/trivial/", runs)
    for name, url in urls.items():
        results.setdefault(name, {})[units] = timed(client, url, runs)

    report = queries.report_for(survey_round, None)
    for name, function in figure_functions(report).items():
        results.setdefault(f"floor:{name}", {})[units] = against_raw_sql(function, runs)

    for name, files in (
        ("returns.csv", ["returns"]),
        ("care_roles.csv", ["care_roles"]),
        ("returns_xlsx", list(EXPORT_FILES)),  # every data file's rows, a sheet each
    ):
        seconds, peak, floor = streamed(client, urls[name], runs)
        rows = sum(
            report.returns.count()
            if EXPORT_FILES[file].model is ScopingReturn
            else EXPORT_FILES[file].model.all_rows.filter(scoping_return__in=report.returns).count()
            for file in files
        )
        results.setdefault(f"export:{name}", {})[units] = (
            rows / seconds,
            peak,
            None if floor is None else rows / floor,
        )

    admin_client = Client()
    admin_client.force_login(admin)
    changelist = (
        reverse("admin:surveys_scopingreturn_changelist")
        + f"?survey_round__id__exact={survey_round.pk}&state__exact=accepted&q=a"
    )
    results.setdefault("admin: returns, filtered and searched", {})[units] = timed(
        admin_client, changelist, runs
    )
    for name, ms, count in lead_pages(borough, runs):
        results.setdefault(f"lead:{name}", {})[units] = (ms, count)


def print_results(sizes, results) -> None:
    largest = sizes[-1]
    trivial_ms = results["trivial"][largest][0]
    print(f"\nReport pages and downloads (a steering-group reader, no cache); time at {largest:,}")
    header = "".join(f"{f'queries@{s:,}':>15}" for s in sizes)
    print("(SQL: the page's reads replayed raw through the cursor, the floor of its time)")
    print(
        f"{'page or download':<24}{header}{'median ms':>11}{'× trivial':>11}"
        f"{'SQL ms':>9}{'× trivial':>11}  goal"
    )
    for name, by_size in results.items():
        if ":" in name or name == "trivial" or name.startswith("admin"):
            continue
        counts = "".join(f"{by_size[s][1]:>15}" for s in sizes)
        ms, _, sql_ms = by_size[largest]
        goal = f"≤ 10 queries{f', ≤ {SUMMARY_GOAL:g}×' if name == 'summary' else ''}"
        print(
            f"{name:<24}{counts}{ms:>11.1f}{ms / trivial_ms:>11.1f}"
            f"{sql_ms:>9.1f}{sql_ms / trivial_ms:>11.1f}  {goal}"
        )
    print(f"{'(trivial view)':<24}{'':>{15 * len(sizes)}}{trivial_ms:>11.1f}{1:>11.1f}")

    print(f"\nFigure functions against their own SQL replayed raw, at {largest:,} (goal ≤ 2×)")
    print(f"{'function':<26}{'ms':>9}{'raw ms':>9}{'ratio':>8}")
    for name, by_size in results.items():
        if name.startswith("floor:"):
            ms, raw = by_size[largest]
            print(f"{name[6:]:<26}{ms:>9.1f}{raw:>9.1f}{ms / raw:>8.1f}")

    print(
        f"\nFull exports: rows per second and peak Python memory (goal ≥ {ROWS_GOAL:,} rows/s, "
        "memory flat), beside PostgreSQL writing the same rows as CSV itself by COPY (the floor)"
    )
    for name, by_size in results.items():
        if name.startswith("export:"):
            cells = "  ".join(
                f"{s:,}: {by_size[s][0]:>9,.0f} rows/s, {by_size[s][1] / 1e6:6.1f} MB"
                + ("" if by_size[s][2] is None else f", COPY {by_size[s][2]:>9,.0f} rows/s")
                for s in sizes
            )
            print(f"{name[7:]:<16}{cells}")

    print("\nThe lead's pages and the admin (goal: a save's queries the same at 2 and 10 rows)")
    for name, by_size in results.items():
        if name.startswith("lead:") or name.startswith("admin"):
            cells = "  ".join(
                f"{s:,}: {by_size[s][0]:7.1f} ms, {by_size[s][1]:3} queries" for s in sizes
            )
            print(f"{name.removeprefix('lead:'):<40}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="32,1000", help="units of each run, e.g. 32,5000")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per URL")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    setup_test_environment()  # lets the test client's host in
    results: dict = {}
    print(f"{connection.vendor}, {args.runs} runs per figure, DEBUG off")
    try:
        with override_settings(
            DEBUG=False,  # as served: no query log kept (counting turns it on itself)
            ROOT_URLCONF="bench_urls",
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
        ):
            for units in sizes:
                old_name = connection.settings_dict["NAME"]
                connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
                try:
                    bench_size(units, args.runs, results)
                finally:
                    connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        teardown_test_environment()
    print_results(sizes, results)


if __name__ == "__main__":
    main()

"""Benchmark the admin's import, preview and confirmation, at a given number of rows (not a test).

    .venv/bin/python scripts/bench_imports.py            # 1,000 rows, throwaway database
    .venv/bin/python scripts/bench_imports.py -n 500

It builds N synthetic boroughs with a submitted return each (two care roles per return) in an
open round, exports the returns and the care roles as CSV, changes one answer in every row,
then uploads each file to the admin as a reviewer would (the dry-run preview) and confirms it,
and prints the rows per second of each step, with the number of queries, beside a floor
measured in the same run: the same changes written with one raw SQL UPDATE per row.
"""

import argparse
import csv
import io
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcmh.settings")
os.environ.setdefault("TESTING", "1")

import django  # noqa: E402

django.setup()
logging.getLogger("pcmh.security").setLevel(logging.WARNING)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

from surveys.choices import ReturnState, RoundState  # noqa: E402
from surveys.models import CareRole, ScopingReturn  # noqa: E402
from surveys.resources import CareRoleResource, ScopingReturnResource  # noqa: E402
from tests.reports.synthetic import synthetic_round  # noqa: E402


def csv_text(rows) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def exported(resource_class, queryset) -> list[dict]:
    text = resource_class().export(queryset=queryset).csv
    return list(csv.DictReader(io.StringIO(text)))


def timed(client, url, data) -> tuple[float, int, object]:
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.post(url, data)
        seconds = time.perf_counter() - started
    if response.status_code not in (200, 302):
        raise SystemExit(f"{url} answered {response.status_code}")
    return seconds, len(queries), response


def import_file(client, model_name, rows) -> tuple[tuple, tuple]:
    upload = SimpleUploadedFile(f"{model_name}.csv", csv_text(rows).encode())
    preview = timed(
        client,
        reverse(f"admin:surveys_{model_name}_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    if "confirm_form" not in preview[2].context:
        said = [str(m) for m in preview[2].context.get("messages", [])]
        errors = preview[2].context.get("errors") or preview[2].context.get("form").errors
        result = preview[2].context.get("result")
        if result is not None:
            errors = [(e.number, e.error) for e in result.invalid_rows[:2]] or result.row_errors()[
                :2
            ]
        raise SystemExit(f"the preview of {model_name} refused the file: {said} {errors}")
    form = preview[2].context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    confirm = timed(client, reverse(f"admin:surveys_{model_name}_process_import"), data)
    return preview, confirm


def sql_floor(table, column, values) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for pk, value in values:
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608
    return time.perf_counter() - started


def bench(count: int) -> None:
    survey_round, _ = synthetic_round(count, state=RoundState.OPEN, slug="bench-import")
    returns = ScopingReturn.objects.filter(survey_round=survey_round)
    returns.update(state=ReturnState.SUBMITTED, accepted_at=None)
    user = get_user_model().objects.create_superuser("bench-importer", "b@example.org", None)
    client = Client()
    client.force_login(user)
    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    print(f"{count:,} rows a file, database: {database}, DEBUG={settings.DEBUG}\n")

    rows = exported(ScopingReturnResource, returns)
    for row in rows:
        row["service_name"] = f"{row['service_name']} (renamed)"
    roles = exported(CareRoleResource, CareRole.objects.filter(scoping_return__in=returns))
    roles = roles[:count]
    for row in roles:
        row["wte"] = "0.75"  # not a key column (notes would be): the row is updated, not added
        if row["role"] == "other":
            row["role_other"] = "Peer support lead"  # the synthetic rows leave it out
    floor = sql_floor(
        ScopingReturn._meta.db_table,
        "service_name",
        [(r.pk, f"{r.service_name} (floor)") for r in returns],
    )
    print(f"{'step':<30} {'seconds':>8} {'rows/s':>8} {'queries':>8} {'x floor':>8}")
    print(
        f"{'raw SQL UPDATE per row':<30} {floor:>8.2f} {count / floor:>8.0f} {count:>8} {1:>8.1f}"
    )
    for label, model_name, file_rows in (
        ("returns", "scopingreturn", rows),
        ("care roles", "carerole", roles),
    ):
        (p_s, p_q, _), (c_s, c_q, _) = import_file(client, model_name, file_rows)
        n = len(file_rows)
        for step, seconds, queries in (("preview", p_s, p_q), ("confirm", c_s, c_q)):
            print(
                f"import {step} rows/s {label:<10} {seconds:>8.2f} {n / seconds:>8.0f} "
                f"{queries:>8} {seconds / floor:>8.1f}"
            )
    changed = returns.filter(service_name__endswith="(renamed)").count()
    print(f"\nreturns changed by the import: {changed:,} of {count:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--rows", type=int, default=1000, help="rows in each file")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        bench(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()

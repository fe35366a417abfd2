"""`make load`: a mixed load on real servers, measured (not a test; loopback only, bounded).

1. A database of its own on PostgreSQL (pcmh_load_<pid>, dropped at the end), migrated, with
   `generate_data --units N --rounds 2`: a published round of N accepted returns and an open one.
2. gunicorn (WEB_CONCURRENCY workers, 2 by default) with production settings (DEBUG=0, behind
   a TLS proxy, the cache in Redis when REDIS_URL answers, else local memory), on a free port.
3. Leads of the open round, signed in before the measured window (their sessions made as
   signing in makes them), and a plan for scripts/locustfile.py.
4. locust, headless, as its own process from .venv-load: 50 users, waits between(1, 3) s,
   readers of the published round (80% report pages, 5% CSV exports) and leads saving a
   section (15%), for 60 s after every user has started; its CSV into build/load/.
5. requests/s, p50/p95/p99 and errors per page; then every save locust saw accepted is looked
   for in the database (the return's history holds each save), and a missing one fails.

    .venv/bin/python scripts/load.py [--units 5000] [--users 50] [--seconds 60]
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LOCUST = os.environ.get("LOCUST", str(ROOT / ".venv-load" / "bin" / "locust"))
HOST = "pcmh.test"
LEADS = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres(server: str, sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres", connect_timeout=5)
    connection.autocommit = True
    connection.cursor().execute(sql)
    connection.close()


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # no Redis: local memory, per worker
        return False


def manage(env, *args, timeout=900, **kwargs):
    return subprocess.run(  # noqa: S603 - our own commands
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout, **kwargs
    )


# --- Run inside Django (python scripts/load.py --prepare / --verify) ---------------------------


def prepare(plan_path: str) -> None:
    """The leads of the open round (each with a return they may change, signed in) and the
    pages of the published round: the plan for the locustfile."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcmh.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from boroughs.models import BoroughMembership, Stp
    from pcmh.middleware import IDLE_REFRESHED
    from surveys.choices import ReturnState
    from surveys.models import RoundState, ScopingReturn, SurveyRound

    published = SurveyRound.objects.filter(state=RoundState.PUBLISHED).latest("opens_on")
    open_round = SurveyRound.objects.filter(state=RoundState.OPEN).latest("opens_on")
    editable = (
        ScopingReturn.objects.in_round(open_round)
        .filter(state__in=[ReturnState.DRAFT, ReturnState.CHANGES_REQUESTED])
        .select_related("borough")
        .order_by("pk")[:LEADS]
    )
    leads = []
    for scoping_return in editable:
        borough = scoping_return.borough
        user = User.objects.create_user(
            f"load-lead-{borough.slug}"[:150], f"{borough.slug}@x.invalid"
        )
        BoroughMembership.objects.create(user=user, borough=borough)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[IDLE_REFRESHED] = int(time.time())
        session.create()
        leads.append(
            {
                "username": user.username,
                "session": session.session_key,
                "csrf": secrets.token_hex(16),  # a CSRF secret as the browser would hold it
                "return": scoping_return.pk,
                "section": reverse(
                    "surveys:section", args=[open_round.slug, borough.slug, "service"]
                ),
            }
        )
    slug = published.slug
    units = list(
        ScopingReturn.objects.in_round(published).values_list("borough__slug", flat=True)[:200]
    )
    stps = list(Stp.objects.filter(boroughs__slug__in=units).values_list("slug", flat=True)[:20])
    pages = [
        ("summary", reverse("reports:summary", args=[slug])),
        ("stp tables", reverse("reports:stp_tables", args=[slug])),
        ("map", reverse("reports:map", args=[slug])),
        ("boroughs", reverse("reports:boroughs", args=[slug])),
        ("boroughs filtered", reverse("reports:boroughs", args=[slug]) + "?status=pilot"),
        ("data quality", reverse("reports:data_quality", args=[slug])),
    ]
    pages += [("stp table", reverse("reports:stp_table", args=[slug, s])) for s in set(stps)]
    pages += [("profile", reverse("reports:borough", args=[slug, u])) for u in units]
    downloads = [
        ("tables.csv", reverse("reports:tables_csv", args=[slug])),
        ("returns.csv", reverse("reports:data_csv", args=[slug, "returns"])),
        ("care_roles.csv", reverse("reports:data_csv", args=[slug, "care_roles"])),
    ]
    plan = {
        "host": HOST,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "published": slug,
        "open": open_round.slug,
        "pages": _weighted(pages),
        "downloads": downloads,
        "leads": leads,
    }
    Path(plan_path).write_text(json.dumps(plan, indent=1))
    print(
        f"plan: {published} ({len(units)} profiles sampled) and {len(leads)} leads of {open_round}"
    )


def _weighted(pages):
    """Each kind of page as likely as another (a profile is one of many)."""
    kinds = {}
    for name, path in pages:
        kinds.setdefault(name, []).append(path)
    most = max(len(paths) for paths in kinds.values())
    return [(name, path) for name, paths in kinds.items() for path in (paths * most)[:most]]


def verify(saves_path: str) -> int:
    """Every save locust saw accepted is in the database: its value in the return's history."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcmh.settings")
    django.setup()
    from surveys.models import ScopingReturn

    saves = [
        line.split("\t", 1) for line in Path(saves_path).read_text().splitlines() if line.strip()
    ]
    history = ScopingReturn.history.model.objects
    found = set(
        history.filter(service_name__in=[marker for _, marker in saves]).values_list(
            "id", "service_name"
        )
    )
    missing = [(int(pk), marker) for pk, marker in saves if (int(pk), marker) not in found]
    latest_ok = all(
        ScopingReturn.objects.get(pk=int(pk)).service_name == marker
        for pk, marker in dict(saves).items()
    )
    print(
        f"saves: {len(saves)} accepted by the server, {len(saves) - len(missing)} found in the "
        f"database, {len(missing)} lost; each return's last save is its answer: {latest_ok}"
    )
    for pk, marker in missing[:10]:
        print(f"  lost: return {pk}: {marker!r}")
    return 0 if not missing and latest_ok else 1


# --- The run ---------------------------------------------------------------------------------


def report(stats_csv: Path) -> bool:
    """Print requests/s and p50/p95/p99 per page and errors; False when a request failed."""
    rows = list(csv.DictReader(stats_csv.open()))
    print(
        f"\n{'page':<24} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'errors':>7}"
    )
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        print(
            f"{row['Name'][:24]:<24} {row['Request Count']:>8} {float(row['Requests/s']):>7.1f} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>7}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return int(total["Failure Count"]) == 0


def warm(port: int, plan_path: Path) -> None:
    """Every page and download of the plan requested once, as `manage.py warm_report_cache`
    does after publishing (here only the plan's pages: its sampled profiles, not every unit's)."""
    plan = json.loads(plan_path.read_text())
    started = time.perf_counter()
    paths = list(dict.fromkeys(path for _, path in plan["pages"] + plan["downloads"]))
    for path in paths:
        request = urllib.request.Request(  # noqa: S310 - our own server, on loopback
            f"http://127.0.0.1:{port}{path}",
            headers={"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            response.read()
    print(
        f"cache warmed: {len(paths)} pages and downloads in {time.perf_counter() - started:.0f} s"
    )


def run(args) -> int:
    if not Path(LOCUST).exists():
        sys.exit(f"{LOCUST} is missing: `make load` installs it (.venv-load, the `load` extra)")
    server = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    db = f"pcmh_load_{os.getpid()}"
    out = ROOT / "build" / "load"
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": "load-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "PROXY_COUNT": "1",
        "DATABASE_URL": f"{server}/{db}",
        "STATIC_ROOT": str(out / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOAD_PLAN": str(out / "plan.json"),
        "LOAD_SAVES": str(out / "saves.tsv"),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    for name in ("CACHE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"):
        env.pop(name, None)
    cache = "local memory (per worker)"
    if redis_answers(redis_url):
        env.update(CACHE_URL=redis_url, CACHE_KEY_PREFIX=f"pcmh-load-{os.getpid()}")
        cache = f"Redis {redis_url}"
    Path(env["LOAD_SAVES"]).write_text("")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    processes = []
    deadline = time.monotonic() + args.seconds + 900  # the whole run, set-up included
    postgres(server, f'CREATE DATABASE "{db}"')
    try:
        quiet = {"stdout": subprocess.DEVNULL}
        manage(env, "migrate", "--noinput", "-v0", **quiet)
        manage(env, "collectstatic", "--noinput", "-v0", **quiet)
        started = time.perf_counter()
        manage(
            env,
            "generate_data",
            "--units",
            str(args.units),
            "--rounds",
            "2",
            "--seed",
            "1",
            **quiet,
        )
        print(f"generated {args.units:,} units a round in {time.perf_counter() - started:.0f} s")
        subprocess.run(  # noqa: S603 - our own commands
            [PY, __file__, "--prepare", env["LOAD_PLAN"]], env=env, check=True, timeout=300
        )
        log = (out / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(  # noqa: S603 - our own commands
            [PY, "-m", "gunicorn", "pcmh.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", workers, "--timeout", "120"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(gunicorn)
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        print(f"gunicorn: {workers} workers on 127.0.0.1:{port}, PostgreSQL {db}, cache: {cache}")
        warm(port, Path(env["LOAD_PLAN"]))
        print(f"locust: {args.users} users for {args.seconds} s")
        locust = subprocess.Popen(  # noqa: S603 - our own commands
            [LOCUST, "-f", str(ROOT / "scripts" / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.users),
             "--run-time", f"{args.seconds}s", "--reset-stats", "--stop-timeout", "5",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "load"),
             "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=(out / "locust.log").open("w"),
        )  # fmt: skip
        processes.append(locust)
        locust.wait(timeout=max(60, deadline - time.monotonic()))
        no_errors = report(out / "load_stats.csv")
        print(f"locust CSV: {out}/load_stats.csv (and _failures, _stats_history)")
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        verify_saves = [PY, __file__, "--verify", env["LOAD_SAVES"]]
        kept = subprocess.run(verify_saves, env=env, timeout=300)  # noqa: S603 - our own
        return 0 if no_errors and kept.returncode == 0 else 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        if "CACHE_KEY_PREFIX" in env:
            import redis

            client = redis.Redis.from_url(redis_url, socket_timeout=5)
            keys = list(client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
            if keys:
                client.delete(*keys)
        postgres(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=int(os.environ.get("LOAD_UNITS", "5000")))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--prepare", metavar="PLAN")
    parser.add_argument("--verify", metavar="SAVES")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return 0
    if args.verify:
        return verify(args.verify)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

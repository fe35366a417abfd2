#!/usr/bin/env bash
# Two app servers over one PostgreSQL database and one Redis are interchangeable (issue 20).
#
# On loopback only: makes its own database (pcmh_two_servers_<pid>) and its own Redis key
# prefix, starts two gunicorn servers on free ports with the production settings (DEBUG=0,
# HTTPS behind a proxy, two-factor sign-in for staff, the shared cache as CACHE_URL), then
# scripts/two_servers_check.py plays the proxy and the people: a lead signed in through one
# server is signed in through the other, a section saved through one is seen through the other,
# a stale save through the second is refused, an import previewed on one is confirmed on the
# other. Finally the database must hold what was saved. Everything it started and made is
# removed on exit, whatever happens; it gives up after TWO_SERVERS_TIMEOUT seconds (240).
#
#   scripts/two_servers.sh    # PG_URL=postgres://postgres@127.0.0.1:5432 REDIS_URL=redis://127.0.0.1:6379/0
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
TIMEOUT=${TWO_SERVERS_TIMEOUT:-240}
db="pcmh_two_servers_$$"
prefix="pcmh-two-servers-$$"
work=$(mktemp -d)
pids=()

say() { echo "two_servers: $*"; }

postgres() {  # postgres "SQL": run one statement on the server's postgres database
  "$PY" -c '
import sys
import psycopg2
connection = psycopg2.connect(sys.argv[1] + "/postgres", connect_timeout=5)
connection.autocommit = True
connection.cursor().execute(sys.argv[2])
' "$PG_URL" "$1"
}

cleanup() {
  status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$status" = 0 ] || tail -n 30 "$work"/*.log 2>/dev/null || true
  "$PY" -c '
import sys
import redis
client = redis.Redis.from_url(sys.argv[1], socket_timeout=5)
keys = list(client.scan_iter(match=sys.argv[2] + ":*", count=1000))
if keys:
    client.delete(*keys)
' "$REDIS_URL" "$prefix" || true
  postgres "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
  rm -rf "$work"
  if [ "$status" = 0 ]; then say "passed"; else say "FAILED (exit $status)"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'say "gave up after ${TIMEOUT}s"; exit 124' TERM
"$PY" -c "import os, signal, time; time.sleep($TIMEOUT); os.kill($$, signal.SIGTERM)" &
pids+=($!)

# A step runs in the background and is waited for, so that the time limit interrupts it too.
run() {
  "$@" &
  local pid=$!
  pids+=("$pid")
  wait "$pid"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

postgres "CREATE DATABASE \"$db\""
port_a=$(free_port)
port_b=$(free_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(free_port); done

password="two-servers-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
totp_key=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
host="pcmh.test"
# Production's settings, as behind the README's TLS-terminating proxy.
export DEBUG=0 TESTING=0
SECRET_KEY="two-servers-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')"
export SECRET_KEY ALLOWED_HOSTS="$host" SITE_URL="https://$host" PROXY_COUNT=1
export DATABASE_URL="$PG_URL/$db" CACHE_URL="$REDIS_URL" CACHE_KEY_PREFIX="$prefix"
export STATIC_ROOT="$work/static" EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
unset SECURE_SSL_REDIRECT BEHIND_TLS_PROXY OTP_REQUIRED_FOR_STAFF SESSION_ENGINE

say "database $db, servers on ports $port_a and $port_b"
run "$PY" manage.py migrate --noinput -v0
run "$PY" manage.py collectstatic --noinput -v0
run "$PY" manage.py load_demo_round -v0 >>"$work/setup.log" 2>&1
# The people: a lead of Camden, a reviewer of the steering group with an authenticator app.
run "$PY" manage.py shell -c "
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from boroughs.models import STEERING_GROUP, Borough, BoroughMembership
lead = User.objects.create_user('lead-camden', 'lead@pcmh.invalid', '$password')
BoroughMembership.objects.create(user=lead, borough=Borough.objects.get(slug='camden'))
reviewer = User.objects.create_user('reviewer', 'reviewer@pcmh.invalid', '$password', is_staff=True)
reviewer.groups.add(Group.objects.get(name=STEERING_GROUP))
TOTPDevice.objects.create(user=reviewer, name='Authenticator', key='$totp_key', confirmed=True)
" >>"$work/setup.log" 2>&1

# B also has a read replica for the published reports: the same database stands in for one.
for port in "$port_a" "$port_b"; do
  replica=""
  [ "$port" = "$port_b" ] && replica="$DATABASE_URL"
  DATABASE_REPLICA_URL="$replica" "$PY" -m gunicorn pcmh.wsgi --bind "127.0.0.1:$port" \
    --workers 2 --timeout 60 >"$work/gunicorn-$port.log" 2>&1 &
  pids+=($!)
done
# The load balancer's probe: plain HTTP, by the server's own address.
run "$PY" -c '
import sys, time, urllib.request
for url in sys.argv[1:]:
    for _ in range(120):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.read() == b"ok\n", url
                break
        except OSError:
            time.sleep(0.5)
    else:
        sys.exit(f"{url} did not answer")
' "http://127.0.0.1:$port_a/healthz" "http://127.0.0.1:$port_b/healthz"
say "both servers answer /healthz"

run "$PY" scripts/two_servers_check.py --a "http://127.0.0.1:$port_a" \
  --b "http://127.0.0.1:$port_b" --host "$host" --password "$password" \
  --totp-key "$totp_key" --round demo --expect "$work/expected"

# What the servers said they saved is in the database.
run "$PY" manage.py shell -c "
import sys
from surveys.models import ScopingReturn
for line in open('$work/expected').read().splitlines():
    borough, value = line.split(' ', 1)
    saved = ScopingReturn.objects.get(survey_round__slug='demo', borough__slug=borough).service_name
    if saved != value:
        sys.exit(f'{borough}: the database holds {saved!r}, not {value!r}')
    print(f'ok: the database holds {borough}\'s {value!r}')
"

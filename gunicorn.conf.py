"""gunicorn's settings for each app server (gunicorn reads this file from the directory it is
started in; a command-line option overrides it).

Each worker process runs several threads, so a request that waits (on the database, or behind a
page being computed) does not hold up the cached pages queued after it; Django is thread-safe
and each thread has its own database connection (so a server holds up to workers × threads
connections to PostgreSQL)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# An idle keep-alive connection is kept longer than a proxy's or a client's pause between
# requests (locust's users wait up to 3 s), so the server does not close one as a request arrives
# on it (the client would see its connection reset).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "10"))

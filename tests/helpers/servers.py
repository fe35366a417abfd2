"""Where the deployment tests find PostgreSQL and Redis, and whether they answer."""

import os
from urllib.parse import urlsplit, urlunsplit

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def postgres_server_url() -> str:
    """DATABASE_URL's server when it is PostgreSQL (without its database), else the machine's
    own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return DEFAULT_POSTGRES
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL") or DEFAULT_REDIS


def unreachable(postgres_url: str, redis: str) -> list[str]:
    """What does not answer of the two, in words ("PostgreSQL at ...", "Redis at ...")."""
    import psycopg2
    import redis as redis_client

    missing = []
    try:
        psycopg2.connect(f"{postgres_url}/postgres", connect_timeout=3).close()
    except psycopg2.Error:
        missing.append(f"PostgreSQL at {postgres_url}")
    try:
        redis_client.Redis.from_url(redis, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis_client.RedisError:
        missing.append(f"Redis at {redis}")
    return missing

"""The address of the client a request comes from, for django-axes' lock-out and the security
log alike.

Behind `PROXY_COUNT` trusted proxies (load balancers, reverse proxies) the client is the
`PROXY_COUNT`-th address from the right of `X-Forwarded-For`: each proxy appends the address it
was reached from, so what stands further left was written by the client and proves nothing. With
`PROXY_COUNT=0` (no proxy: the app server faces the clients) the header is ignored entirely.
"""

import ipaddress
import re

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "PROXY_COUNT", 0)
    if not count:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    forwarded = [part for part in re.split(r"\s*,\s*", header.strip()) if part]
    if len(forwarded) < count:
        return remote  # not through all our proxies (a request to the app server itself)
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote  # a proxy of ours wrote no address: trust only the connection

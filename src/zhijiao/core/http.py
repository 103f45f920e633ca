"""Facts about the HTTP request that several domains need."""

from django.conf import settings


def client_address(request) -> str | None:
    """The address of the person's machine.

    Behind ZJ_PROXY_HOPS trusted proxies (load balancers), that is the entry they appended to
    X-Forwarded-For, counted from the right; anything further left was written by the client and is not
    trusted. Without proxies it is the socket's peer address.
    """
    if request is None:
        return None
    hops = settings.ZJ_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None

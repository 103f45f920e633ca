"""Fixed-window request limits kept in the shared cache (the file cache, or Redis when configured).

Used where a per-account lockout cannot help: many account names tried from one address, password-reset
mail sent to the same inbox again and again, mass registration.
"""

from django.core.cache import cache


def allow(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for ``key`` in ``scope``; False once more than ``limit`` fell in the window."""
    name = f"zj-rate:{scope}:{key}"
    # add() starts the window only if it is not running; incr() then counts within it.
    cache.add(name, 0, timeout=window_seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # the window expired between add() and incr()
        cache.set(name, 1, timeout=window_seconds)
        count = 1
    return count <= limit

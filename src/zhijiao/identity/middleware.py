"""Session idle timeout: a session unused for ZJ_IDLE_TIMEOUT ends (30 minutes unless configured)."""

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

# The last-seen stamp is rewritten at most this often, so a busy session does not write on every request.
_TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get("zj_seen")
            if last is not None and now - last > settings.ZJ_IDLE_TIMEOUT.total_seconds():
                logout(request)
                request.session["zj_idle_logout"] = True
            elif last is None or now - last >= _TOUCH_EVERY:
                request.session["zj_seen"] = now
        return self.get_response(request)


from django.conf import settings

from boroughs.models import is_lead, is_steering_group
from pcmh.middleware import seconds_left


def service(request):
    """Who is looking, for the navigation: leads, the steering group, everyone; and where to
    write to the steering group."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "service_name": "PCMH Returns",
        "is_steering_group": authenticated and is_steering_group(user),
        "is_lead": authenticated and is_lead(user),
        "steering_group_email": settings.STEERING_GROUP_EMAIL,
        # The timeout warning's clock: the session's idle time and how long before its end to warn.
        "session_seconds": seconds_left(request) if authenticated else settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": min(
            settings.SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2
        ),
    }

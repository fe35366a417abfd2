from django.conf import settings

from boroughs.models import is_steering_group


def service(request):
    """Who is looking, for the navigation: leads, the steering group, everyone; and where to
    write to the steering group."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "service_name": "PCMH Returns",
        "is_steering_group": authenticated and is_steering_group(user),
        "is_lead": authenticated and user.borough_memberships.exists(),
        "steering_group_email": settings.STEERING_GROUP_EMAIL,
    }

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from boroughs.models import STEERING_GROUP, Borough, BoroughMembership


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts: admin, reviewer and lead-<borough> for every "
        "borough, all with the password DEMO_PASSWORD. Development only."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "create_demo_users is for development: it refuses to run when DEBUG is off, "
                "because it sets known passwords."
            )
        password = settings.DEMO_PASSWORD
        User = get_user_model()
        with transaction.atomic():
            admin = self._user(User, "admin", password, "Demo administrator")
            admin.is_staff = admin.is_superuser = True
            admin.save()
            reviewer = self._user(User, "reviewer", password, "Demo reviewer")
            reviewer.is_staff = True
            reviewer.save()
            reviewer.groups.add(Group.objects.get(name=STEERING_GROUP))
            boroughs = list(Borough.objects.all())
            for borough in boroughs:
                lead = self._user(User, f"lead-{borough.slug}", password, f"{borough.name} lead")
                lead.save()
                BoroughMembership.objects.get_or_create(user=lead, borough=borough)
        self.stdout.write(
            f"Demo users ready: admin, reviewer and {len(boroughs)} leads (lead-<borough slug>), "
            "password from DEMO_PASSWORD."
        )

    @staticmethod
    def _user(User, username, password, full_name):
        user, _ = User.objects.get_or_create(username=username)
        first, _, last = full_name.partition(" ")
        user.first_name, user.last_name = first, last
        user.email = f"{username}@pcmh.invalid"
        user.is_active = True
        user.set_password(password)
        return user

"""Signing in and the signed-in user."""

from django.contrib.auth import backends

from boroughs.models import user_fact_annotations


class ModelBackend(backends.ModelBackend):
    """Django's, except that the user of a request is loaded with what every page asks about
    them (in the steering group, a lead, limited to some STPs: `boroughs.models.user_facts`),
    in the one query that loads the user."""

    def get_user(self, user_id):
        model = backends.UserModel
        user = (
            model._default_manager.annotate(**user_fact_annotations(model))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

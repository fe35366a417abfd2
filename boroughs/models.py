"""The register and who belongs to which part of it: regions, their ICB or STP footprints and
the units under each (London: one region, its 5 STP footprints and the 32 borough/CCG units of
the 2017 report; a national register: England's regions, ICBs and primary care networks)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from pcmh.published_names import NamedAsPublished

STEERING_GROUP = "Steering group"


# What every page asks about the signed-in user, by the name it is kept under.
FACTS = ("steering_group", "lead", "limited")


def user_fact_annotations(model) -> dict:
    """The user's facts as annotations of a query of users (`model`): `pcmh_<fact>`, so that
    loading the user loads them (`pcmh.auth.ModelBackend`)."""
    return {
        "pcmh_steering_group": Exists(
            model.groups.through.objects.filter(user=OuterRef("pk"), group__name=STEERING_GROUP)
        ),
        "pcmh_lead": Exists(BoroughMembership.objects.filter(user=OuterRef("pk"))),
        "pcmh_limited": Exists(ReviewerStp.objects.filter(user=OuterRef("pk"))),
    }


def user_facts(user) -> dict[str, bool]:
    """What every page asks about the signed-in user, once per request (kept on the user
    object, which the request keeps): whether they are in the steering group
    (`steering_group`), lead a borough (`lead`) and are limited to some STP footprints
    (`limited`). Read with the user where it was loaded with them, else in one query."""
    cached = getattr(user, "_pcmh_facts", None)
    if cached is not None:
        return cached
    facts = dict.fromkeys(FACTS, False)
    if user.is_authenticated:
        if all(hasattr(user, f"pcmh_{fact}") for fact in FACTS):
            row = [getattr(user, f"pcmh_{fact}") for fact in FACTS]
        else:
            model = user._meta.model
            row = (
                model._default_manager.filter(pk=user.pk)
                .values_list(*user_fact_annotations(model).values())
                .first()
            )
        if row is not None:
            facts = {fact: bool(value) for fact, value in zip(FACTS, row, strict=True)}
    user._pcmh_facts = facts
    return facts


def is_steering_group(user) -> bool:
    """True for a superuser or a member of the steering group."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user_facts(user)["steering_group"]


def is_lead(user) -> bool:
    """True for a user who leads a borough (has a borough membership)."""
    return user.is_authenticated and user_facts(user)["lead"]


def has_stp_limits(user) -> bool:
    """True for a reviewer limited to some STP footprints (a superuser never is)."""
    return user.is_authenticated and not user.is_superuser and user_facts(user)["limited"]


def is_staff_member(user) -> bool:
    """Staff for sign-in purposes (a second factor, sessions that end with the browser): the
    steering group, whether or not it may open the admin, and every admin user."""
    return user.is_authenticated and (user.is_staff or is_steering_group(user))


class RegisterLevel(models.Model):
    """What each level above the units has: a name, a slug, an ONS code, a place in the list."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    code = models.CharField("ONS code", max_length=9, blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class Region(NamedAsPublished, RegisterLevel):
    """The register's top level: an NHS region ("London"), holding ICB or STP footprints."""

    published_kind = "regions"


def register_extent() -> dict:
    """What the register covers, for the words of the home page: its regions that hold units
    (names, in order) and its number of units (one query)."""
    regions = list(
        Region.objects.annotate(units=models.Count("stps__boroughs"))
        .filter(units__gt=0)
        .values_list("name", "units")
    )
    return {"regions": [name for name, _ in regions], "units": sum(n for _, n in regions)}


def london_region():
    """The region London's STP footprints are in (the default of a new footprint's region)."""
    return Region.objects.get_or_create(slug="london", defaults={"name": "London"})[0].pk


class Stp(NamedAsPublished, RegisterLevel):
    """An integrated care board (ICB) or, in London's 2017 report, a sustainability and
    transformation partnership (STP) footprint: the level between a region and its units."""

    published_kind = "stps"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="stps", default=london_region
    )

    class Meta(RegisterLevel.Meta):
        verbose_name = "ICB or STP footprint"


class BoroughQuerySet(models.QuerySet):
    def for_user(self, user):
        """The boroughs `user` may see: a lead their own, the steering group all (or its STPs)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if is_steering_group(user):
            if has_stp_limits(user):
                return self.filter(stp__in=user.reviewer_stps.values("stp"))
            return self
        return self.filter(memberships__user=user).distinct()


class Borough(NamedAsPublished, models.Model):
    """A unit of the register, which makes one return a round: in London one of the 2017
    report's boroughs or CCGs (e.g. Central London CCG = Westminster), elsewhere a primary care
    network. A published report shows it by its name when published (`pcmh.published_names`)."""

    published_kind = "boroughs"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    stp = models.ForeignKey(Stp, on_delete=models.PROTECT, related_name="boroughs")
    covers = models.CharField(
        max_length=200, blank=True, help_text="The local authorities the unit covers."
    )
    gss_codes = models.CharField(
        "ONS GSS codes", max_length=100, blank=True, help_text="Comma-separated."
    )
    ods_code = models.CharField("CCG ODS code", max_length=5, blank=True)
    tile_x = models.PositiveSmallIntegerField(help_text="Column on the tile map (west = 0).")
    tile_y = models.PositiveSmallIntegerField(help_text="Row on the tile map (north = 0).")
    display_order = models.PositiveSmallIntegerField(default=0)

    objects = BoroughQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tile_x", "tile_y"], name="borough_unique_tile"),
        ]

    def __str__(self):
        return self.name


class BoroughMembership(models.Model):
    """A borough lead: a user who fills in one borough's returns."""

    class Role(models.TextChoices):
        COMMISSIONER = "commissioner", "Commissioner"
        CLINICAL_LEAD = "clinical_lead", "GP clinical lead"
        OTHER = "other", "Other"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="borough_memberships"
    )
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COMMISSIONER)

    class Meta:
        ordering = ["borough__display_order", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "borough"], name="membership_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} – {self.borough} ({self.get_role_display()})"


class ReviewerStp(models.Model):
    """Limits a steering-group reviewer to some STP footprints (none: all of London)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_stps"
    )
    stp = models.ForeignKey(Stp, on_delete=models.CASCADE, related_name="reviewers")

    class Meta:
        verbose_name = "reviewer's STP limit"
        constraints = [
            models.UniqueConstraint(fields=["user", "stp"], name="reviewer_stp_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.stp}"

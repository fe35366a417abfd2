"""Corrections to a loaded round's data, as a data migration applies them: how a corrected
transcription (fixtures/2017) reaches a database that already holds the round, which
`load_2017_round` leaves as it is once it is published.

A correction file (`scripts/fixture_corrections.py` writes one from two versions of the fixture
files) lists each return's changed answers, as [before, after], and each kind of child row
changed (found by its values before), removed or added. `apply` makes those changes with the
models of `apps` (a migration's), and only where the database holds what the correction says it
held before: anything else stops it with the differences named, and nothing is changed. Applied
twice, it finds the corrected values and does nothing more. Backwards, it undoes the correction.

Every change is recorded as the service records one: a history entry of each row changed, added
or removed, by the account that loaded the round, with the correction's reason; a "corrected"
step on each return's timeline; the return's version moved on, so a form opened before it is
told the return changed.

A correction that completes a transcription rather than changing what the report says (rows the
report printed but the files left out) also reaches the copies each publication of the round keeps
(`published_copies`): their child rows are changed the same way, without history, timeline or
version, as a copy is frozen.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

SYSTEM_USERNAME = "system"  # the account load_2017_round loads the round with
REASON_LIMIT = 100  # the history's change reason column


class CorrectionMismatch(Exception):
    """The database does not hold what a correction expects to change."""


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b))
    return a == b


def _typed(model, values: dict) -> dict:
    """A correction's values as the model's fields hold them ("1.4" → Decimal("1.4"))."""
    return {
        name: model._meta.get_field(name).to_python(value) if value is not None else None
        for name, value in values.items()
    }


class _Applier:
    def __init__(self, apps, data: dict, backwards: bool, published_copies: bool = False):
        self.apps = apps
        self.data = data
        self.backwards = backwards
        self.published_copies = published_copies
        self.recording = True  # False while changing the frozen copies: no history of those
        self.now = timezone.now()
        self.reason = (("Undone: " if backwards else "") + data["reason"])[:REASON_LIMIT]
        self.problems: list[str] = []
        self.touched: set[int] = set()  # the returns whose answers or rows changed
        self.moved_on: set[int] = set()  # those whose version has moved on
        User = apps.get_model(settings.AUTH_USER_MODEL)
        self.user = User.objects.filter(username=SYSTEM_USERNAME).first()

    def model(self, name):
        return self.apps.get_model("surveys", name)

    def before_after(self, pair):
        return (pair[1], pair[0]) if self.backwards else (pair[0], pair[1])

    def history(self, obj, kind: str) -> None:
        if not self.recording:  # a frozen copy keeps no history
            return
        historical = self.model(f"Historical{type(obj).__name__}")
        own = {"history_id", "history_date", "history_change_reason", "history_type"}
        values = {
            field.attname: getattr(obj, field.attname)
            for field in historical._meta.concrete_fields
            if field.name not in own and field.name != "history_user"
        }
        historical.objects.create(
            **values,
            history_date=self.now,
            history_change_reason=self.reason,
            history_type=kind,
            history_user=self.user,
        )

    def run(self) -> bool:
        SurveyRound = self.model("SurveyRound")
        survey_round = SurveyRound.objects.filter(slug=self.data["round"]).first()
        if survey_round is None:
            return False
        ScopingReturn = self.model("ScopingReturn")
        returns = ScopingReturn.objects.filter(survey_round=survey_round)
        if any(f.name == "publication" for f in ScopingReturn._meta.fields):
            # Once publications exist: the returns themselves, not the copies a published
            # report keeps (a correction of those is a published correction).
            returns = returns.filter(publication__isnull=True)
        self.returns = {r.borough.slug: r for r in returns.select_related("borough")}
        with transaction.atomic():
            for item in self.data["returns"]:
                self.correct_return(item)
            for name, rows in self.data["rows"].items():
                self.correct_rows(self.model(name), rows)
            if self.published_copies:
                self.correct_copies(survey_round)
            if self.problems:
                raise CorrectionMismatch(
                    f"The {survey_round} round does not hold what the correction "
                    f"“{self.data['reason']}” expects, so nothing was changed: "
                    + "; ".join(self.problems[:10])
                    + (f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else "")
                )
            self.record_on_timelines()
        return True

    def correct_copies(self, survey_round) -> None:
        """The child rows of each publication's copies of the returns, as of the returns."""
        ScopingReturn = self.model("ScopingReturn")
        copies = defaultdict(dict)
        for copy in ScopingReturn._base_manager.filter(
            survey_round=survey_round, publication__isnull=False
        ).select_related("borough"):
            copies[copy.publication_id][copy.borough.slug] = copy
        live, self.recording = self.returns, False
        try:
            for publication in sorted(copies):
                self.returns = copies[publication]
                for name, rows in self.data["rows"].items():
                    self.correct_rows(self.model(name), rows)
        finally:
            self.returns, self.recording = live, True

    def return_of(self, slug: str):
        found = self.returns.get(slug)
        if found is None:
            self.problems.append(f"{slug} has no return")
        return found

    def correct_return(self, item: dict) -> None:
        scoping_return = self.return_of(item["borough"])
        if scoping_return is None:
            return
        model = type(scoping_return)
        changes = {}
        for name, pair in item["changes"].items():
            before, after = self.before_after(pair)
            before, after = (
                _typed(model, {name: before})[name],
                _typed(model, {name: after})[name],
            )
            now = getattr(scoping_return, name)
            if _same(now, after):
                continue
            if not _same(now, before):
                self.problems.append(f"{item['borough']}: {name} is {now!r}, not {before!r}")
                continue
            changes[name] = after
        if changes:
            for name, after in changes.items():
                setattr(scoping_return, name, after)
            scoping_return.version += 1
            scoping_return.updated_by = self.user
            scoping_return.save()
            self.history(scoping_return, "~")
            self.touched.add(scoping_return.pk)
            self.moved_on.add(scoping_return.pk)

    def correct_rows(self, model, rows: dict) -> None:
        removed, added = (
            (rows["added"], rows["removed"]) if self.backwards else (rows["removed"], rows["added"])
        )
        used: set[int] = set()
        for item in rows["changed"]:
            match = item["match"]
            if self.backwards:
                match = {**match, **{n: pair[1] for n, pair in item["changes"].items()}}
            after = {n: self.before_after(pair)[1] for n, pair in item["changes"].items()}
            corrected = self.find(model, item["borough"], {**match, **after}, used)
            if corrected is not None:
                used.add(corrected.pk)
                continue
            row = self.find(model, item["borough"], match, used)
            if row is None:
                self.problems.append(f"{item['borough']}: no {model.__name__} {_brief(match)}")
                continue
            used.add(row.pk)
            for name, value in _typed(model, after).items():
                setattr(row, name, value)
            row.save()
            self.history(row, "~")
            self.touch(row.scoping_return_id)
        for item in removed:
            row = self.find(model, item["borough"], item["values"], used)
            if row is None:
                continue  # removed already
            self.history(row, "-")
            self.touch(row.scoping_return_id)
            row.delete()
        for item in added:
            scoping_return = self.return_of(item["borough"])
            if scoping_return is None:
                continue
            if self.find(model, item["borough"], item["values"], used) is not None:
                continue  # added already
            row = model._base_manager.create(
                scoping_return=scoping_return, **_typed(model, item["values"])
            )
            used.add(row.pk)
            self.history(row, "+")
            self.touch(scoping_return.pk)

    def touch(self, return_pk: int) -> None:
        if self.recording:
            self.touched.add(return_pk)

    def find(self, model, borough: str, values: dict, used: set[int]):
        scoping_return = self.returns.get(borough)
        if scoping_return is None:
            return None
        candidates = model._base_manager.filter(
            scoping_return=scoping_return, **_typed(model, values)
        )
        return candidates.exclude(pk__in=used).order_by("pk").first()

    def record_on_timelines(self) -> None:
        """A "corrected" step on each return changed, whose version moves on (once)."""
        ReturnEvent = self.model("ReturnEvent")
        ScopingReturn = self.model("ScopingReturn")
        rows_only = self.touched - self.moved_on
        ScopingReturn.objects.filter(pk__in=rows_only).update(
            version=F("version") + 1, updated_by=self.user, updated_at=self.now
        )
        for scoping_return in ScopingReturn.objects.filter(pk__in=self.touched):
            ReturnEvent.objects.create(
                scoping_return=scoping_return,
                at=self.now,
                by=self.user,
                kind="corrected",
                from_state=scoping_return.state,
                to_state=scoping_return.state,
                comment=self.reason,
            )


def _brief(values: dict) -> str:
    shown = {k: v for k, v in values.items() if v not in ("", None)}
    return ", ".join(f"{k}={str(v)[:40]!r}" for k, v in list(shown.items())[:3])


def apply(apps, data: dict, *, backwards: bool = False, published_copies: bool = False) -> bool:
    """Apply the correction `data` with the models of `apps` (or undo it, `backwards`), and to
    the child rows of the round's published copies too where `published_copies`. False when the
    database holds no such round; raises CorrectionMismatch, changing nothing, where it holds
    something else than the correction expects."""
    return _Applier(apps, data, backwards, published_copies).run()

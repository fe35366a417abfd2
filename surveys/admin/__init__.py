"""The steering group's review screens: returns, their rows, rounds, import and export.

Every screen starts from the boroughs the user may see (`Borough.objects.for_user`), in its
queryset and in its object permissions (a history view can reach a record the list hides). State
changes go through `surveys.workflow`; a save in the admin is a versioned `workflow.save_changes`.

Laid out as Django lays out its own admin: what the screens share (`mixins`), the workflow
actions (`actions`), import and export (`imports`), one module per screen (`returns`, `rows`,
`rounds`), and the registration here.
"""

from django.contrib import admin

from surveys.admin.returns import ScopingReturnAdmin, ScopingReturnAdminForm
from surveys.admin.rounds import SurveyRoundAdmin
from surveys.admin.rows import (
    AnswerQueryAdmin,
    BarrierAdmin,
    BenefitAdmin,
    CareRoleAdmin,
    ContactAdmin,
    DataQualityNoteAdmin,
    FundingLineAdmin,
    OutcomeMeasureAdmin,
    ReturnCommentAdmin,
    ReturnEventAdmin,
    SelfAssessmentAdmin,
)
from surveys.models import (
    AnswerQuery,
    Barrier,
    Benefit,
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    ReturnComment,
    ReturnEvent,
    ScopingReturn,
    SelfAssessment,
    SurveyRound,
)

__all__ = ["ScopingReturnAdminForm"]

admin.site.register(ScopingReturn, ScopingReturnAdmin)
admin.site.register(CareRole, CareRoleAdmin)
admin.site.register(Contact, ContactAdmin)
admin.site.register(OutcomeMeasure, OutcomeMeasureAdmin)
admin.site.register(FundingLine, FundingLineAdmin)
admin.site.register(DataQualityNote, DataQualityNoteAdmin)
admin.site.register(SelfAssessment, SelfAssessmentAdmin)
admin.site.register(Benefit, BenefitAdmin)
admin.site.register(Barrier, BarrierAdmin)
admin.site.register(ReturnEvent, ReturnEventAdmin)
admin.site.register(ReturnComment, ReturnCommentAdmin)
admin.site.register(AnswerQuery, AnswerQueryAdmin)
admin.site.register(SurveyRound, SurveyRoundAdmin)

from django.contrib import admin

from surveys.models import ScopingReturn, SurveyRound

admin.site.register(SurveyRound)
admin.site.register(ScopingReturn)

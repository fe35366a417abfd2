from django.shortcuts import get_object_or_404, render

from surveys.models import SurveyRound


def index(request):
    rounds = SurveyRound.objects.readable_by(request.user)
    return render(request, "reports/index.html", {"rounds": rounds})


def summary(request, round_slug):
    survey_round = get_object_or_404(SurveyRound.objects.readable_by(request.user), slug=round_slug)
    return render(request, "reports/summary.html", {"round": survey_round})

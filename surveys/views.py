"""The lead's pages: their returns, the task list, one form per section, check and submit."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from boroughs.models import Borough


@login_required
def your_returns(request):
    boroughs = Borough.objects.for_user(request.user)
    return render(request, "surveys/your_returns.html", {"boroughs": boroughs})


@login_required
def dashboard(request):
    return render(request, "surveys/dashboard.html", {})

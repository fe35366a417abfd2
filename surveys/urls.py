from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.your_returns, name="your_returns"),
    path("review/", views.dashboard, name="dashboard"),
]

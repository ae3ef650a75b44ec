from django.urls import path

from accalmie.team import views

urlpatterns = [
    path("pulse/", views.weekly_pulse, name="team-pulse"),
]

from django.urls import path

from accalmie.health import views

urlpatterns = [
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:alert_id>/", views.alert_action, name="alert-action"),
    path("clients/<int:client_id>/walk-away/", views.walkaway, name="walkaway"),
    path("clients/<int:client_id>/signs/", views.behaviour_signs, name="behaviour-signs"),
    path(
        "clients/<int:client_id>/signs/<int:hit_id>/feedback/",
        views.behaviour_feedback,
        name="behaviour-feedback",
    ),
]

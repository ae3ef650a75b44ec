from django.urls import path

from accalmie.clients import views

urlpatterns = [
    path("", views.client_list, name="client-list"),
    path("clients/<int:client_id>/", views.client_detail, name="client-detail"),
]

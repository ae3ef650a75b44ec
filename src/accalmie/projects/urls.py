from django.urls import path

from accalmie.projects import views

urlpatterns = [
    path("projects/<int:project_id>/contract/", views.contract_edit, name="contract-edit"),
]

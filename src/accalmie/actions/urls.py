from django.urls import path

from accalmie.actions import views

urlpatterns = [
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:task_id>/complete/", views.complete, name="task-complete"),
    path("clients/<int:client_id>/tasks/accept/", views.accept, name="task-accept"),
    path("clients/<int:client_id>/draft/", views.draft, name="draft"),
    path("tone-check/", views.tone_check, name="tone-check"),
]

from django.urls import path

from accalmie.detect import views

urlpatterns = [
    path("hits/<int:hit_id>/feedback/", views.hit_feedback, name="hit-feedback"),
]

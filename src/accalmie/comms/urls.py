from django.urls import path

from accalmie.comms import views

urlpatterns = [
    path("interactions/<int:interaction_id>/", views.interaction_detail, name="interaction-detail"),
]

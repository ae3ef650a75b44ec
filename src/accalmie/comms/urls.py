from django.urls import path

from accalmie.comms import views

urlpatterns = [
    path("interactions/<int:interaction_id>/", views.interaction_detail, name="interaction-detail"),
    path(
        "interactions/<int:interaction_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(
        "interactions/<int:interaction_id>/original/",
        views.original_download,
        name="original-download",
    ),
]

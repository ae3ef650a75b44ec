from django.urls import path

from accalmie.comms import views

urlpatterns = [
    path(
        "clients/<int:client_id>/exchanges/new/",
        views.interaction_record,
        name="interaction-record",
    ),
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

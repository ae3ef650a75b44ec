from django.urls import path

from accalmie.capture import views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/<int:job_id>/", views.import_report, name="import-report"),
    path("imports/<int:job_id>/resume/", views.import_resume, name="import-resume"),
    path(
        "imports/messages/<int:message_id>/original/",
        views.captured_original,
        name="captured-original",
    ),
    path("mail-accounts/new/", views.mail_account_new, name="mail-account-new"),
    path("mail-accounts/<int:account_id>/sync/", views.mail_account_sync, name="mail-account-sync"),
    path("review/", views.review, name="review"),
    path("review/<int:correspondent_id>/", views.review_decide, name="review-decide"),
]

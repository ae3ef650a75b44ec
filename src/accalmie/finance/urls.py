from django.urls import path

from accalmie.finance import views

urlpatterns = [
    path("clients/<int:client_id>/invoices/new/", views.invoice_create, name="invoice-create"),
    path("invoices/<int:invoice_id>/payment/", views.invoice_payment, name="invoice-payment"),
]

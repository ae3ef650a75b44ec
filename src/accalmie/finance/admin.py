from django.contrib import admin

from accalmie.finance.models import Invoice


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "client", "amount", "issued_on", "due_on", "paid_on", "disputed"]
    list_filter = ["disputed", "client__workspace"]
    search_fields = ["number", "client__name"]

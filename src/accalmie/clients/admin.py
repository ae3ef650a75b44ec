from django.contrib import admin

from accalmie.clients.models import Client, ClientDomain, Contact, ContactEmail


class ClientDomainInline(admin.TabularInline):
    model = ClientDomain
    extra = 0
    fields = ["domain"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "kind", "language", "account_manager", "is_archived"]
    list_filter = ["workspace", "language", "kind", "is_archived"]
    search_fields = ["name"]
    filter_horizontal = ["team"]
    inlines = [ContactInline]


@admin.register(ClientDomain)
class ClientDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "client", "workspace"]
    search_fields = ["domain"]


class ContactEmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 0
    fields = ["address"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "role"]
    search_fields = ["name", "emails__address"]
    list_filter = ["client__workspace"]
    inlines = [ContactEmailInline]


@admin.register(ContactEmail)
class ContactEmailAdmin(admin.ModelAdmin):
    list_display = ["address", "contact", "workspace"]
    search_fields = ["address"]

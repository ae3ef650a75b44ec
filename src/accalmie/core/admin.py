from django.contrib import admin

from accalmie.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "workspace"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

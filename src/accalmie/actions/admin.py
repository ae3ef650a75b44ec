from django.contrib import admin

from accalmie.actions.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "client", "owner", "due_on", "status")
    list_filter = ("status",)
    search_fields = ("title", "client__name")
    raw_id_fields = ("client", "owner", "created_by", "completed_by", "note")

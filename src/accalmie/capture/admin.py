from django.contrib import admin

from accalmie.capture.models import (
    CapturedMessage,
    Correspondent,
    ImapFolderState,
    ImportJob,
    MailAccount,
)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "workspace",
        "kind",
        "label",
        "status",
        "seen",
        "imported",
        "duplicates",
        "quarantined",
        "unassigned",
        "created_at",
    ]
    list_filter = ["status", "kind", "workspace"]
    search_fields = ["label"]


@admin.register(CapturedMessage)
class CapturedMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "workspace", "outcome", "source_key", "reason", "created_at"]
    list_filter = ["outcome", "workspace"]
    search_fields = ["source_key", "reason", "content_hash"]
    raw_id_fields = ["interaction", "job"]


@admin.register(MailAccount)
class MailAccountAdmin(admin.ModelAdmin):
    list_display = ["label", "workspace", "username", "host", "security", "last_synced_at"]
    list_filter = ["workspace"]


@admin.register(ImapFolderState)
class ImapFolderStateAdmin(admin.ModelAdmin):
    list_display = ["account", "folder", "uidvalidity", "last_uid", "updated_at"]


@admin.register(Correspondent)
class CorrespondentAdmin(admin.ModelAdmin):
    list_display = ["address", "workspace", "status", "client", "message_count", "last_seen_at"]
    list_filter = ["status", "workspace"]
    search_fields = ["address", "name"]

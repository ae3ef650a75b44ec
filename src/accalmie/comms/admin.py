from django.contrib import admin

from accalmie.comms.models import Attachment, Interaction, InteractionParticipant, Thread


class ParticipantInline(admin.TabularInline):
    model = InteractionParticipant
    extra = 0
    raw_id_fields = ["contact", "user"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "client", "channel", "direction", "subject"]
    list_filter = ["channel", "direction", "workspace"]
    search_fields = ["subject", "body_text", "message_id"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["client", "project", "thread"]
    inlines = [ParticipantInline]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["subject", "client", "workspace"]
    search_fields = ["subject"]


@admin.register(InteractionParticipant)
class InteractionParticipantAdmin(admin.ModelAdmin):
    list_display = ["interaction", "role", "address", "contact", "user"]
    raw_id_fields = ["interaction", "contact", "user"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "interaction"]
    search_fields = ["filename", "sha256"]
    raw_id_fields = ["interaction"]

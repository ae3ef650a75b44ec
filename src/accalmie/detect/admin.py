from django.contrib import admin

from accalmie.detect.models import InteractionAnalysis, SignalHit


@admin.register(SignalHit)
class SignalHitAdmin(admin.ModelAdmin):
    list_display = ["signal", "score", "interaction", "client", "detector", "detector_version"]
    list_filter = ["signal", "detector_version"]
    raw_id_fields = ["interaction", "client"]


@admin.register(InteractionAnalysis)
class InteractionAnalysisAdmin(admin.ModelAdmin):
    list_display = ["interaction", "lang", "detector_version", "analysed_at"]
    raw_id_fields = ["interaction"]

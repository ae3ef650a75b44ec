from django.contrib import admin

from accalmie.team.models import TeamPulse


@admin.register(TeamPulse)
class TeamPulseAdmin(admin.ModelAdmin):
    list_display = ["client", "member", "week", "rating"]
    list_filter = ["rating", "client__workspace"]

from django.contrib import admin

from accalmie.health.models import (
    Alert,
    BehaviourHit,
    HealthSettings,
    HealthSnapshot,
    WalkAwayDecision,
    WalkAwayFlag,
)

admin.site.register(HealthSettings)
admin.site.register(BehaviourHit)
admin.site.register(HealthSnapshot)
admin.site.register(Alert)
admin.site.register(WalkAwayFlag)
admin.site.register(WalkAwayDecision)

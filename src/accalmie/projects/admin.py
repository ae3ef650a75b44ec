from django.contrib import admin

from accalmie.projects.models import Contract, Milestone, Project, RevisionRound, ScopeItem


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class RevisionRoundInline(admin.TabularInline):
    model = RevisionRound
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "status", "starts_on", "ends_on"]
    list_filter = ["status", "client__workspace"]
    search_fields = ["name", "client__name"]
    inlines = [MilestoneInline, RevisionRoundInline]


class ScopeItemInline(admin.TabularInline):
    model = ScopeItem
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "project",
        "amount",
        "revision_rounds_allowed",
        "notice_period_days",
    ]
    search_fields = ["reference", "project__name"]
    inlines = [ScopeItemInline]


@admin.register(ScopeItem)
class ScopeItemAdmin(admin.ModelAdmin):
    list_display = ["title", "contract", "included"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "due_on", "done_on"]


@admin.register(RevisionRound)
class RevisionRoundAdmin(admin.ModelAdmin):
    list_display = ["project", "requested_on"]

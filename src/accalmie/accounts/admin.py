from django.contrib import admin

from accalmie.accounts.models import Membership, Workspace, WorkspaceDomain


class WorkspaceDomainInline(admin.TabularInline):
    model = WorkspaceDomain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [WorkspaceDomainInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "workspace__name"]


@admin.register(WorkspaceDomain)
class WorkspaceDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "workspace"]
    search_fields = ["domain"]

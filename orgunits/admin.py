"""The admin is for the superuser only (network.adminsite); regional administrators use portal pages.

No guardian object-permission pages: a role is granted only through the unit's «Доступ» page,
which logs it in the one history (history.LogEntry, read-only in the admin).
"""

from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from .models import OrgUnit, Region, School, UnitKind


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "timezone"]
    search_fields = ["name", "code"]


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "level", "requires_school", "files_documents", "approves_documents"]
    list_filter = ["level", "requires_school"]
    search_fields = ["name", "short_name", "code"]
    filter_horizontal = ["allowed_parents"]


@admin.register(OrgUnit)
class OrgUnitAdmin(MPTTModelAdmin):
    list_display = ["name", "kind", "region", "school", "closed_on"]
    list_filter = ["region", "kind"]
    search_fields = ["name", "short_name"]
    list_select_related = ["kind", "region", "school"]
    raw_id_fields = ["school"]
    mptt_level_indent = 16

    def get_readonly_fields(self, request, obj=None):
        # Moves go through the portal's move action, which locks the tree and checks the kinds.
        return ["parent", "region", "kind"] if obj else []


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "inn", "municipality"]
    search_fields = ["name", "short_name", "inn"]
    list_select_related = ["municipality"]
    raw_id_fields = ["municipality"]

"""The whole history in the admin (superuser only, read-only): entries across records, found by the
request, the import or the person who acted — what one object's «История» tab cannot show."""

from django.contrib import admin

from .models import LogEntry


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "via", "action", "content_type", "object_repr", "detail"]
    list_filter = ["action", "via", "content_type"]
    search_fields = ["=request_id", "object_repr", "detail", "actor__username"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"
    show_full_result_count = False  # counting the whole history on every page is not needed

    # Append-only: nobody adds, edits or deletes an entry, not even the superuser.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

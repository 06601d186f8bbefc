from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The mail outbox, read-only: where a superuser finds letters that failed or were interrupted."""

    list_display = ["created_at", "user", "text", "email_status", "email_attempts", "email_next_try_at"]
    list_filter = ["email_status"]
    search_fields = ["user__username", "user__email", "text"]
    list_select_related = ["user"]
    readonly_fields = ["email_status", "email_attempts", "email_error", "email_next_try_at", "email_claimed_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

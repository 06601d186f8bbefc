"""People in the admin (superuser only): every read of a card here is in the 152-ФЗ log too."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from .models import Membership, Person, PersonalDataAccess, RenewalCheck, Subject
from .services import log_personal_data


@admin.register(RenewalCheck)
class RenewalCheckAdmin(admin.ModelAdmin):
    """What the sweep found about the renewal by a third (001 §2.8): a record, never edited by hand."""

    list_display = ["unit", "starts_on", "on", "renewed", "total", "required", "under_third"]
    list_filter = ["under_third"]
    raw_id_fields = ["unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["unit"]
    readonly_fields = ["unit", "role", "starts_on", "ends_on", "left_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # through the unit page: it checks the single-chair rule and the grants


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "position", "school", "email", "region"]
    list_filter = ["region", "qualification_category"]
    search_fields = ["last_name", "first_name", "email"]
    list_select_related = ["school", "region"]
    raw_id_fields = ["school", "user"]
    filter_horizontal = ["subjects"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # A login is linked on the person's portal page, which moves the grants along and logs them.
        return ["user"]

    def _log_read(self, request, object_id, what):
        person = self.get_object(request, object_id)
        if person is not None:
            log_personal_data(request.user, person, PersonalDataAccess.Action.VIEW, what)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":  # a save is logged as a change in save_model
            self._log_read(request, object_id, "карточка в администрировании")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log_read(request, object_id, "история изменений в администрировании")
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "GET":
            self._log_read(request, object_id, "подтверждение удаления в администрировании")
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = PersonalDataAccess.Action.CHANGE if change else PersonalDataAccess.Action.CREATE
        fields = ", ".join(form.changed_data) or "без изменений полей"
        log_personal_data(request.user, obj, action, f"в администрировании: {fields}")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "person", "details"]
    list_filter = ["action"]
    date_hierarchy = "at"
    list_select_related = ["user", "person"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Groups are the role groups of units («unit:<id>:<role>»): a role is granted only through the
# unit's «Доступ» page, which logs it. So the admin neither edits groups nor a user's membership in them.
admin.site.unregister(Group)
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    readonly_fields = ["groups", "user_permissions", "last_login", "date_joined"]

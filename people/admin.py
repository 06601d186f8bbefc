from django.contrib import admin

from .models import Membership, Person, PersonalDataAccess, Subject


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

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.restrict(request.user, "manage")

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []


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

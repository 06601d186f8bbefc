from django.contrib import admin

from .models import Export, Import


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "register", "format", "rows_total", "status"]
    list_filter = ["register", "status", "format"]
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "register", "original_name", "status"]
    list_filter = ["register", "status"]
    readonly_fields = [f.name for f in Import._meta.fields]

    def has_add_permission(self, request):
        return False

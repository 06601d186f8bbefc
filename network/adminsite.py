"""The Django admin is for the superuser only.

A regional administrator's work (unit kinds, the region's access log, its settings, grants) is
done on portal pages that go through `restrict()`; the admin has no notion of regions, and its
object-permission pages would grant roles the portal neither shows nor logs. So every admin
page, for every model, asks one question: is this an active superuser? Anyone else, even with
is_staff, gets the admin's login page.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(AdminSite):
    site_header = "Методсеть — администрирование"
    site_title = "Методсеть"
    index_title = "Настройка сети (только для суперпользователя)"

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_superuser


class SuperuserAdminConfig(AdminConfig):
    default_site = "network.adminsite.SuperuserAdminSite"

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.passwords import PortalPasswordResetView

from .health import healthz
from .views import HomeView, NotificationsView

admin.site.site_header = "Методсеть — администрирование"
admin.site.site_title = "Методсеть"
admin.site.index_title = "Настройка сети"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("notifications/", NotificationsView.as_view(), name="notifications"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Rate-limited, and the same answer time for known and unknown e-mails (accounts/passwords.py).
    path("accounts/password_reset/", PortalPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("orgunits.urls")),
    path("", include("people.urls")),
    path("", include("submissions.urls")),
    # «Входящие» of every app (worklist/views.py) at /inbox/; the reviewer's documents at /inbox/documents/.
    path("", include("worklist.urls")),
    path("", include("plans.urls")),
    path("", include("reports.urls")),
    path("", include("submissions.attachment_urls")),
    path("", include("orders.urls")),
    path("", include("meetings.urls")),
    path("", include("growth.urls")),
    path("", include("events.urls")),
    path("", include("practices.urls")),
    path("", include("monitoring.urls")),
    path("", include("registers.urls")),
    path("", include("history.urls")),
    path("", include("public.urls")),  # /open/<region>/ (001 §1.3) and /calendar/ feeds
    path("api/", include("api.urls")),  # the read-only JSON API for regional systems (/api/v1/, api/)
]

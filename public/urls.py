from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    # The open pages of a region (001 §1.3), no login.
    path("open/", views.IndexView.as_view(), name="index"),
    path("open/<slug:region>/", views.RegionView.as_view(), name="region"),
    path("open/<slug:region>/units/<int:pk>/", views.UnitView.as_view(), name="unit"),
    path("open/<slug:region>/units/<int:pk>/calendar.ics", views.UnitFeedView.as_view(), name="unit_feed"),
    path("open/<slug:region>/plans/", views.DocumentListView.as_view(), {"what": "plans"}, name="plans"),
    path("open/<slug:region>/reports/", views.DocumentListView.as_view(), {"what": "reports"}, name="reports"),
    path("open/<slug:region>/documents/<int:pk>/", views.DocumentView.as_view(), name="document"),
    path("open/<slug:region>/documents/<int:pk>/pdf/", views.DocumentPdfView.as_view(), name="document_pdf"),
    path("open/<slug:region>/protocols/", views.ProtocolListView.as_view(), name="protocols"),
    path("open/<slug:region>/protocols/<int:pk>/", views.ProtocolView.as_view(), name="protocol"),
    path("open/<slug:region>/orders/", views.OrderListView.as_view(), name="orders"),
    path("open/<slug:region>/orders/<int:pk>/", views.OrderView.as_view(), name="order"),
    path("open/<slug:region>/calendar/", views.CalendarView.as_view(), name="calendar"),
    path("open/<slug:region>/practices/", views.PracticeListView.as_view(), name="practices"),
    path("open/<slug:region>/practices/<int:pk>/", views.PracticeView.as_view(), name="practice"),
    path("open/<slug:region>/practices/<int:pk>/file/", views.PracticeFileView.as_view(), name="practice_file"),
    # Calendar feeds for phones: the secret address and the page that gives it.
    path("calendar/", views.PhoneCalendarView.as_view(), name="phone_calendar"),
    path("calendar/<str:token>.ics", views.PrivateFeedView.as_view(), name="private_feed"),
]

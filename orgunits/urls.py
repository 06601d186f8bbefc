from django.urls import path

from . import region_views, views

app_name = "orgunits"

urlpatterns = [
    path("tree/", views.TreeView.as_view(), name="tree"),
    path("tree/<int:pk>/children/", views.TreeChildrenView.as_view(), name="tree_children"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit"),
    path("units/<int:pk>/add-child/", views.UnitCreateView.as_view(), name="unit_add_child"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/move/", views.UnitMoveView.as_view(), name="unit_move"),
    path("units/<int:pk>/access/", views.UnitAccessView.as_view(), name="access"),
    path("regions/", region_views.RegionAdminIndexView.as_view(), name="region_admin"),
    path("regions/<int:pk>/settings/", region_views.RegionSettingsView.as_view(), name="region_settings"),
    path("regions/<int:pk>/access-log/", region_views.RegionAccessLogView.as_view(), name="region_access_log"),
    path("regions/<int:pk>/grants/", region_views.RegionGrantLogView.as_view(), name="region_grant_log"),
    path("unit-kinds/", region_views.UnitKindListView.as_view(), name="unit_kinds"),
    path("schools/", views.SchoolListView.as_view(), name="schools"),
    path("schools/new/", views.SchoolFormView.as_view(), name="school_add"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school"),
    path("schools/<int:pk>/edit/", views.SchoolFormView.as_view(), name="school_edit"),
]

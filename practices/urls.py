from django.urls import path

from . import views

app_name = "practices"

urlpatterns = [
    path("practices/", views.BankView.as_view(), name="bank"),
    path("practices/<int:pk>/", views.PracticeView.as_view(), name="practice"),
    path("practices/files/<int:pk>/", views.FileView.as_view(), name="file"),
    path("practices/mine/", views.MineView.as_view(), name="mine"),
    path("practices/new/", views.ChooseUnitView.as_view(), name="choose_unit"),
    path("practices/expertise/", views.InboxView.as_view(), name="inbox"),
    path("units/<int:pk>/developments/", views.UnitDevelopmentsView.as_view(), name="unit_list"),
    path("units/<int:pk>/developments/new/", views.DevelopmentCreateView.as_view(), name="add"),
    path("developments/<int:pk>/", views.DevelopmentView.as_view(), name="development"),
    path("developments/<int:pk>/edit/", views.DevelopmentEditView.as_view(), name="edit"),
    path("developments/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("developments/<int:pk>/resubmit/", views.ResubmitView.as_view(), name="resubmit"),
    path("developments/<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("developments/<int:pk>/conclusion/", views.ConclusionView.as_view(), name="conclude"),
    path("developments/<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
    path("developments/<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("developments/<int:pk>/unpublish/", views.UnpublishView.as_view(), name="unpublish"),
    path("expert-assignments/<int:pk>/remove/", views.UnassignView.as_view(), name="unassign"),
]

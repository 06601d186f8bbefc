from django.urls import path

from programs import urls as program_urls

from . import views

app_name = "plans"

urlpatterns = [
    path("submissions/<int:pk>/plan/", views.PlanEditView.as_view(), name="edit"),
    path("submissions/<int:pk>/plan/copy-previous/", views.CopyPreviousView.as_view(), name="copy_previous"),
    path("plan-items/<int:pk>/edit/", views.PlanItemEditView.as_view(), name="item_edit"),
    path("plan-items/<int:pk>/delete/", views.PlanItemDeleteView.as_view(), name="item_delete"),
]

# The programs moved to their own app (programs/urls.py); their pages keep their addresses and their
# names in this namespace (plans:program…), so every link, template and bookmark stays valid.
urlpatterns += program_urls.urlpatterns

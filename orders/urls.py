from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.RegisterView.as_view(), name="register"),
    path("orders/new/", views.NewOrderView.as_view(), name="new"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order"),
    path("orders/<int:pk>/edit/", views.OrderEditView.as_view(), name="edit"),
    path("orders/<int:pk>/sign/", views.OrderSignView.as_view(), name="sign"),
    path("orders/<int:pk>/agreement/send/", views.OrderSendForAgreementView.as_view(), name="send_for_agreement"),
    path("orders/<int:pk>/agreement/", views.OrderAgreementView.as_view(), name="agreement"),
    path("orders/<int:pk>/agreement/return/", views.OrderReturnToDraftView.as_view(), name="return_to_draft"),
    path("orders/<int:pk>/agreement/scan/", views.AgreementScanView.as_view(), name="agreement_scan"),
    path("orders/<int:pk>/pdf/", views.OrderPdfView.as_view(), name="pdf"),
    path("units/<int:pk>/orders/", views.UnitRegisterView.as_view(), name="unit_register"),
    path("units/<int:pk>/orders/new/", views.OrderCreateView.as_view(), name="create"),
    path("units/<int:pk>/orders/composition/", views.CompositionView.as_view(), name="composition"),
    path("submissions/<int:pk>/order/", views.FromPlanView.as_view(), name="from_plan"),
    path("submissions/<int:pk>/appoint-order/", views.FromCandidacyView.as_view(), name="from_candidacy"),
]

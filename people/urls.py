from django.urls import path

from . import consents, views

app_name = "people"

urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="list"),
    path("people/new/", views.PersonFormView.as_view(), name="add"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person"),
    path("people/<int:pk>/edit/", views.PersonFormView.as_view(), name="edit"),
    path("people/<int:pk>/access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("people/<int:pk>/consents/new/", consents.ConsentAddView.as_view(), name="consent_add"),
    path("consents/<int:pk>/revoke/", consents.ConsentRevokeView.as_view(), name="consent_revoke"),
    path("consents/<int:pk>/file/", consents.ConsentFileView.as_view(), name="consent_file"),
    path("people/<int:pk>/login/", views.PersonLoginView.as_view(), name="login"),
    path("units/<int:pk>/members/add/", views.MemberAddView.as_view(), name="member_add"),
    path("memberships/<int:pk>/end/", views.MembershipEndView.as_view(), name="membership_end"),
    path("memberships/<int:pk>/role/", views.MembershipRoleView.as_view(), name="membership_role"),
    path("units/<int:pk>/candidacy/new/", views.CandidacyProposeView.as_view(), name="candidacy_new"),
    path("candidacies/<int:pk>/edit/", views.CandidacyEditView.as_view(), name="candidacy_edit"),
]

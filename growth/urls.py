from django.urls import path

from surveys import urls as survey_urls

from . import views
from .models import Diagnostic, Mentoring, Route, RouteStep

app_name = "growth"


def delete(model, person_path="person"):
    return views.GrowthDeleteView.as_view(model=model, person_path=person_path)


urlpatterns = [
    path("portfolio/", views.MyPortfolioView.as_view(), name="my_portfolio"),
    path("people/<int:pk>/portfolio/", views.PortfolioView.as_view(), name="portfolio"),
    path("people/<int:person>/portfolio/courses/new/", views.CourseFormView.as_view(), name="course_add"),
    path("portfolio/courses/<int:pk>/edit/", views.CourseFormView.as_view(), name="course_edit"),
    path("portfolio/courses/<int:pk>/delete/", views.CourseDeleteView.as_view(), name="course_delete"),
    path(
        "portfolio/courses/<int:pk>/confirm/",
        views.CourseDecisionView.as_view(move="confirm"),
        name="course_confirm",
    ),
    path("portfolio/courses/<int:pk>/reject/", views.CourseDecisionView.as_view(move="reject"), name="course_reject"),
    path("portfolio/courses/<int:pk>/file/", views.CourseFileView.as_view(), name="course_file"),
    path("people/<int:person>/portfolio/diagnostics/new/", views.DiagnosticFormView.as_view(), name="diagnostic_add"),
    path("portfolio/diagnostics/<int:pk>/edit/", views.DiagnosticFormView.as_view(), name="diagnostic_edit"),
    path("portfolio/diagnostics/<int:pk>/delete/", delete(Diagnostic), name="diagnostic_delete"),
    path("people/<int:person>/portfolio/routes/new/", views.RouteFormView.as_view(), name="route_add"),
    path("portfolio/routes/<int:pk>/edit/", views.RouteFormView.as_view(), name="route_edit"),
    path("portfolio/routes/<int:pk>/delete/", delete(Route), name="route_delete"),
    path("portfolio/routes/<int:route>/steps/new/", views.StepFormView.as_view(), name="step_add"),
    path("portfolio/steps/<int:pk>/edit/", views.StepFormView.as_view(), name="step_edit"),
    path("portfolio/steps/<int:pk>/delete/", delete(RouteStep, "route.person"), name="step_delete"),
    path("portfolio/steps/<int:pk>/status/", views.StepStatusView.as_view(), name="step_status"),
    path("people/<int:person>/portfolio/mentoring/new/", views.MentoringFormView.as_view(), name="mentoring_add"),
    path("portfolio/mentoring/<int:pk>/edit/", views.MentoringFormView.as_view(), name="mentoring_edit"),
    path("portfolio/mentoring/<int:pk>/delete/", delete(Mentoring, "mentee"), name="mentoring_delete"),
]

# The needs surveys moved to their own app (surveys/urls.py); their pages keep their addresses and their
# names in this namespace (growth:survey…), so every link and template stays valid.
urlpatterns += survey_urls.urlpatterns

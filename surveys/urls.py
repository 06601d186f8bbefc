"""The needs surveys' pages. Included by growth/urls.py, in the `growth` namespace where they were born:
the URL names (growth:my_surveys, growth:survey, growth:topic_…) did not change with the move."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.MySurveysView.as_view(), name="my_surveys"),
    path("surveys/units/", views.UnitsSurveysView.as_view(), name="organised_surveys"),
    path("surveys/new/", views.SurveyPickView.as_view(), name="survey_pick"),
    path("units/<int:pk>/surveys/", views.UnitSurveysView.as_view(), name="unit_surveys"),
    path("units/<int:pk>/surveys/new/", views.SurveyCreateView.as_view(), name="survey_add"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey"),
    path("surveys/<int:pk>/edit/", views.SurveyEditView.as_view(), name="survey_edit"),
    path("surveys/<int:survey>/topics/new/", views.TopicFormView.as_view(), name="topic_add"),
    path("surveys/topics/<int:pk>/edit/", views.TopicFormView.as_view(), name="topic_edit"),
    path("surveys/topics/<int:pk>/delete/", views.TopicDeleteView.as_view(), name="topic_delete"),
    path("surveys/<int:pk>/open/", views.SurveyOpenView.as_view(), name="survey_open"),
    path("surveys/<int:pk>/close/", views.SurveyCloseView.as_view(), name="survey_close"),
    path("surveys/<int:pk>/answer/", views.SurveyAnswerView.as_view(), name="survey_answer"),
    path("surveys/<int:pk>/results/", views.SurveyResultsView.as_view(), name="survey_results"),
    path("surveys/<int:pk>/results.xlsx", views.SurveyExportView.as_view(), name="survey_export"),
    path("surveys/<int:pk>/difficulties/", views.SurveyDifficultiesView.as_view(), name="survey_difficulties"),
]

"""The pages of the needs surveys: design, open and close, answer, results and their workbook."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from network.forms import VersionedFormMixin, attach_errors
from network.models import StaleVersionError
from network.views import get_unit, parse_int
from orgunits.access import access_for
from orgunits.models import OrgUnit
from people.models import Person, PersonalDataAccess
from people.services import log_personal_data

from . import exports, forms, services
from .models import CourseFormat, NeedsAnswer, NeedsSurvey, SurveyTopic

# -- Monitoring of professional needs and deficits (issue 5, part 7) -------------------------------
#
# Permissions: the organising unit's record keepers and administrators design, open and close a
# survey (others who may view the unit: 403; who may not: 404); they and the reviewers above see
# the results. Teachers with a login who are active members of the organiser's subtree answer.

NOT_ORGANISER = "Анкетирование ведут методисты, секретари и администраторы подразделения-организатора."
NOT_RESULTS = "Итоги анкетирования видят организаторы и кураторы вышестоящих подразделений."
NOT_RESPONDENT = "Анкета адресована педагогам подразделений организатора."
LIST_PAGE = 20
UNITS_PAGE = 50
UNIT_OPTIONS_LIMIT = 200


def deny(user, unit, message):
    """The portal's rule: a user who may not view the unit gets 404, one who may gets 403."""
    if not access_for(user).can("view", unit):
        raise Http404("Анкета не найдена.")
    raise PermissionDenied(message)


def survey_queryset():
    return NeedsSurvey.objects.select_related("unit__region", "unit__kind")


def own_person(user):
    return Person.objects.filter(user=user).first() if user.is_authenticated else None


def get_survey(user, pk, need="view") -> NeedsSurvey:
    """need: view (the unit's viewers and the respondents), organise, results."""
    survey = get_object_or_404(survey_queryset(), pk=pk)
    unit = survey.unit
    if need == "organise":
        if not services.can_organise(user, unit):
            deny(user, unit, NOT_ORGANISER)
    elif need == "results":
        if not services.can_see_results(user, unit):
            deny(user, unit, NOT_RESULTS)
    elif not access_for(user).can("view", unit) and not services.addressed_to(own_person(user), survey):
        raise Http404("Анкета не найдена.")
    return survey


class SurveyMixin(LoginRequiredMixin):
    need = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.survey = get_survey(request.user, kwargs["pk"], self.need)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(survey=self.survey, unit=self.survey.unit, **kwargs)


class MySurveysView(LoginRequiredMixin, TemplateView):
    """«Мои анкеты»: the surveys addressed to the user, answered or not."""

    template_name = "surveys/my_surveys.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        person = own_person(user)
        surveys = services.surveys_for(person).select_related("unit").order_by("-year", "-opens_on", "-pk")
        page = Paginator(surveys, LIST_PAGE).get_page(self.request.GET.get("page"))
        answers = {}
        if person is not None and page.object_list:
            answers = {
                a.survey_id: a for a in NeedsAnswer.objects.filter(person=person, survey__in=list(page.object_list))
            }
        rows = [(s, answers.get(s.pk), services.accepting_answers(s, today)) for s in page.object_list]
        return super().get_context_data(
            page_obj=page,
            rows=rows,
            has_person=person is not None,
            organises=services.organised_surveys(user).exists(),
            **kwargs,
        )


class UnitsSurveysView(LoginRequiredMixin, TemplateView):
    """«Анкеты подразделений»: the surveys the user organises or sees the results of."""

    template_name = "surveys/organised_surveys.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        get = self.request.GET
        surveys = services.organised_surveys(user).select_related("unit").annotate(answer_count=Count("answers"))
        if get.get("state") in NeedsSurvey.State.values:
            surveys = surveys.filter(state=get["state"])
        if (year := parse_int(get.get("year"))) is not None:
            surveys = surveys.filter(year=year)
        page = Paginator(surveys.order_by("-year", "-opens_on", "-pk"), LIST_PAGE).get_page(get.get("page"))
        access = access_for(user)
        unit_q = access.q_for_units("keep_records")
        unit_options = (
            list(
                OrgUnit.objects.filter(unit_q).order_by("tree_id", "lft").values_list("pk", "name")[:UNIT_OPTIONS_LIMIT]
            )
            if unit_q is not None
            else []
        )
        return super().get_context_data(
            page_obj=page, states=NeedsSurvey.State.choices, filters=get, unit_options=unit_options, **kwargs
        )


class UnitSurveysView(LoginRequiredMixin, TemplateView):
    """/units/<pk>/surveys/ — one unit's surveys (for whoever may view the unit)."""

    template_name = "surveys/unit_surveys.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_unit(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        surveys = self.unit.needs_surveys.annotate(answer_count=Count("answers")).order_by("-year", "-opens_on", "-pk")
        page = Paginator(surveys, LIST_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            unit=self.unit,
            page_obj=page,
            can_organise=services.can_organise(self.request.user, self.unit),
            can_see_results=services.can_see_results(self.request.user, self.unit),
            **kwargs,
        )


class SurveyPickView(LoginRequiredMixin, View):
    """The unit picker of «Анкеты подразделений» leads to that unit's new survey."""

    def get(self, request):
        unit_id = parse_int(request.GET.get("unit"))
        if unit_id is None:
            messages.error(request, "Выберите подразделение-организатора.")
            return redirect("growth:organised_surveys")
        return redirect("growth:survey_add", pk=unit_id)


class SurveyCreateView(LoginRequiredMixin, FormView):
    template_name = "surveys/survey_form.html"
    form_class = forms.NeedsSurveyForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Organising is keeping the unit's records (growth.services.can_organise).
        self.unit = get_unit(request.user, kwargs["pk"], "keep_records", NOT_ORGANISER)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        year = timezone.localdate().year
        opens, closes = services.default_survey_dates(year)
        return {
            "year": year,
            "title": f"Мониторинг профессиональных потребностей и дефицитов педагогов, {year}",
            "opens_on": opens,
            "closes_on": closes,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": NeedsSurvey(unit=self.unit)}

    def form_valid(self, form):
        survey = form.save()
        messages.success(self.request, "Анкета создана. Добавьте темы, затем откройте приём ответов.")
        return redirect(survey)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, title="Новая анкета", **kwargs)


class SurveyEditView(SurveyMixin, FormView):
    need = "organise"
    template_name = "surveys/survey_form.html"
    form_class = forms.NeedsSurveyForm

    def get(self, request, *args, **kwargs):
        if self.survey.state == NeedsSurvey.State.CLOSED:
            return self.closed()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.survey.state == NeedsSurvey.State.CLOSED:
            return self.closed()
        return super().post(request, *args, **kwargs)

    def closed(self):
        messages.error(self.request, "Анкетирование завершено: анкету изменить нельзя.")
        return redirect(self.survey)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.survey}

    def form_valid(self, form):
        if not form.save_versioned():
            return self.form_invalid(form)
        messages.success(self.request, "Изменения сохранены.")
        return redirect(self.survey)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Изменить анкету", **kwargs)


class SurveyDetailView(SurveyMixin, TemplateView):
    template_name = "surveys/survey_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        survey = self.survey
        person = own_person(user)
        today = timezone.localdate()
        respondent = services.addressed_to(person, survey)
        return super().get_context_data(
            topics=list(survey.topics.all()),
            can_organise=services.can_organise(user, survey.unit),
            can_see_results=services.can_see_results(user, survey.unit),
            hide_unit_link=not access_for(user).can("view", survey.unit),
            respondent=respondent,
            answered=respondent and survey.answers.filter(person=person).exists(),
            closed_reason=services.accepting_answers(survey, today),
            answer_count=survey.answers.count(),
            **kwargs,
        )


class TopicMixin(LoginRequiredMixin):
    """A topic (`pk`) or a new one of a survey (`survey`): its organisers change topics while the
    survey is being designed."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.object = get_object_or_404(SurveyTopic, pk=kwargs["pk"])
            self.survey = get_survey(request.user, self.object.survey_id, "organise")
        else:
            self.survey = get_survey(request.user, kwargs["survey"], "organise")
            self.object = SurveyTopic(survey=self.survey)
        if self.survey.state != NeedsSurvey.State.DESIGN:
            messages.error(request, "Темы меняют, пока анкета в разработке: на неё уже отвечают.")
            return redirect(self.survey)
        return super().dispatch(request, *args, **kwargs)


class TopicFormView(TopicMixin, FormView):
    """Add or edit a topic."""

    template_name = "surveys/topic_form.html"
    form_class = forms.SurveyTopicForm

    def get_initial(self):
        if self.object.pk is None:
            return {"position": (self.survey.topics.aggregate(m=Max("position"))["m"] or 0) + 1}
        return {}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "survey": self.survey, "instance": self.object}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "Тема сохранена.")
        return redirect(self.survey)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            survey=self.survey, unit=self.survey.unit, is_new=self.object.pk is None, **kwargs
        )


class TopicDeleteView(TopicMixin, TemplateView):
    template_name = "surveys/topic_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(survey=self.survey, unit=self.survey.unit, object=self.object, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object.delete()
        messages.success(request, f"Тема «{self.object}» удалена.")
        return redirect(self.survey)


class SurveyTransitionView(SurveyMixin, View):
    need = "organise"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            self.transition()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(self.survey)


class SurveyOpenView(SurveyTransitionView):
    def transition(self):
        survey = services.open_survey(self.survey, timezone.localdate(), by=self.request.user)
        messages.success(
            self.request,
            f"Анкета открыта: педагоги отвечают с {survey.opens_on:%d.%m.%Y} по {survey.closes_on:%d.%m.%Y}.",
        )


class SurveyCloseView(SurveyTransitionView):
    def transition(self):
        services.close_survey(self.survey, by=self.request.user)
        messages.success(self.request, "Анкетирование завершено: ответы больше не принимаются.")


class SurveyAnswerView(LoginRequiredMixin, FormView):
    template_name = "surveys/survey_answer.html"
    form_class = forms.NeedsAnswerForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.survey = get_object_or_404(survey_queryset(), pk=kwargs["pk"])
        self.person = own_person(request.user)
        if not services.addressed_to(self.person, self.survey):
            deny(request.user, self.survey.unit, NOT_RESPONDENT)
        self.answer = NeedsAnswer.objects.filter(survey=self.survey, person=self.person).first()
        self.closed_reason = services.accepting_answers(self.survey, timezone.localdate())
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.closed_reason:
            messages.error(request, self.closed_reason)
            return redirect("growth:survey_answer", pk=self.survey.pk)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "survey": self.survey, "answer": self.answer}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.save_answer(
                survey=self.survey,
                person=self.person,
                topics=data["topics"],
                difficulties=data["difficulties"],
                preferred_format=data["preferred_format"],
                expected_version=data["expected_version"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        except StaleVersionError:
            form.add_error(None, VersionedFormMixin.conflict_message)
            return self.form_invalid(form)
        log_personal_data(
            self.request.user,
            self.person,
            PersonalDataAccess.Action.CHANGE,
            f"ответ на анкету «{self.survey.title}»",
        )
        messages.success(
            self.request,
            f"Ответ сохранён. Его можно изменить до {self.survey.closes_on:%d.%m.%Y}.",
        )
        return redirect("growth:my_surveys")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(
            survey=self.survey,
            unit=self.survey.unit,
            answer=self.answer,
            closed_reason=self.closed_reason,
            hide_unit_link=not access_for(self.request.user).can("view", self.survey.unit),
            **kwargs,
        )
        if self.closed_reason:
            for field in ctx["form"].fields.values():
                field.disabled = True
        return ctx


class SurveyResultsView(SurveyMixin, TemplateView):
    need = "results"
    template_name = "surveys/survey_results.html"

    def get_context_data(self, **kwargs):
        survey = self.survey
        total, rows = services.topic_results(survey)
        topics = [r.topic for r in rows]
        page = Paginator(services.unit_breakdown_units(survey), UNITS_PAGE).get_page(self.request.GET.get("page"))
        counts = services.unit_topic_counts(survey, [u.pk for u in page.object_list])
        return super().get_context_data(
            total=total,
            rows=rows,
            topics=topics,
            plan=services.plan_schedule(rows),
            format_totals=services.format_totals(survey),
            format_labels=[label for _, label in CourseFormat.choices],
            page_obj=page,
            unit_rows=services.unit_rows(page.object_list, topics, counts),
            difficulty_count=survey.answers.exclude(difficulties="").count(),
            can_organise=services.can_organise(self.request.user, survey.unit),
            **kwargs,
        )


class SurveyDifficultiesView(SurveyMixin, TemplateView):
    """The difficulties teachers described, without names (the study of difficulties, 004: May)."""

    need = "results"
    template_name = "surveys/survey_difficulties.html"

    def get_context_data(self, **kwargs):
        texts = self.survey.answers.exclude(difficulties="").order_by("pk").values_list("difficulties", flat=True)
        page = Paginator(texts, LIST_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, **kwargs)


class SurveyExportView(SurveyMixin, View):
    need = "results"

    def get(self, request, *args, **kwargs):
        handle = exports.workbook_file(self.survey)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"needs-survey-{self.survey.pk}-{self.survey.year}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

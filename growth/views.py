from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from orgunits.models import OrgUnit
from people.models import Person, PersonalDataAccess
from people.services import log_personal_data
from people.views import get_person

from . import forms, services
from .models import Course, Diagnostic, Mentoring, Route, RouteStep


def portfolio_url(person_id):
    return reverse("growth:portfolio", args=[person_id])


class PortfolioView(LoginRequiredMixin, TemplateView):
    template_name = "growth/portfolio.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        person = get_person(user, self.kwargs["pk"])
        log_personal_data(user, person, PersonalDataAccess.Action.VIEW, "портфолио")
        today = timezone.localdate()
        can_manage = Person.objects.restrict(user, "manage").filter(pk=person.pk).exists()
        mentoring = Mentoring.objects.select_related("mentor", "mentee")
        return super().get_context_data(
            person=person,
            can_manage=can_manage,
            is_own=person.user_id is not None and person.user_id == user.pk,
            young=services.is_young_specialist(person, today),
            courses=list(person.courses.all()),
            recent_hours=sum(c.hours for c in services.courses_in_last_years(person, today)),
            diagnostics=list(person.diagnostics.prefetch_related("results")),
            routes=list(
                person.routes.select_related("unit", "diagnostic").prefetch_related(
                    Prefetch("steps", queryset=RouteStep.objects.order_by("due_on", "pk"))
                )
            ),
            step_statuses=RouteStep.Status.choices,
            as_mentor=list(mentoring.filter(mentor=person)),
            as_mentee=list(mentoring.filter(mentee=person)),
            **kwargs,
        )


class GrowthFormView(LoginRequiredMixin, FormView):
    """Add (url kwarg `person` or a parent) or edit (`pk`) one record of a person's portfolio."""

    template_name = "growth/form.html"
    model = None
    title = ""

    def person_of(self, obj):
        return obj.person

    def new_instance(self, kwargs):
        person = get_person(self.request.user, kwargs["person"], "manage")
        return person, self.model(person=person)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.object = get_object_or_404(self.model, pk=kwargs["pk"])
            self.person = get_person(request.user, self.person_of(self.object).pk, "manage")
        else:
            self.person, self.object = self.new_instance(kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def save(self, form):
        return form.save()

    def form_valid(self, form):
        created = self.object.pk is None
        with transaction.atomic():
            obj = self.save(form)
            if obj is None:
                return self.form_invalid(form)
            log_personal_data(
                self.request.user,
                self.person,
                PersonalDataAccess.Action.CHANGE,
                f"портфолио: {'добавлено' if created else 'изменено'} «{obj._meta.verbose_name}»",
            )
        messages.success(self.request, "Сохранено.")
        return redirect(portfolio_url(self.person.pk))

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, title=self.title, is_new=self.object.pk is None, **kwargs)


class CourseFormView(GrowthFormView):
    model = Course
    form_class = forms.CourseForm
    title = "Курс повышения квалификации"


class DiagnosticFormView(GrowthFormView):
    model = Diagnostic
    form_class = forms.DiagnosticForm
    title = "Диагностика профессиональных дефицитов"
    template_name = "growth/diagnostic_form.html"

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = forms.ResultFormSet(instance=self.object, prefix="results")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        self.formset = forms.ResultFormSet(self.request.POST, instance=form.instance, prefix="results")
        if not self.formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=self.formset))
        return super().form_valid(form)

    def form_invalid(self, form):
        formset = forms.ResultFormSet(self.request.POST, instance=self.object, prefix="results")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def save(self, form):
        diagnostic = form.save()
        self.formset.instance = diagnostic
        self.formset.save()
        return diagnostic


class RouteFormView(GrowthFormView):
    model = Route
    form_class = forms.RouteForm
    title = "Индивидуальный образовательный маршрут"

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["person"] = self.person
        kwargs["units"] = OrgUnit.objects.restrict(self.request.user, "view").filter(region=self.person.region)
        return kwargs


class StepFormView(GrowthFormView):
    model = RouteStep
    form_class = forms.RouteStepForm
    title = "Шаг маршрута"

    def person_of(self, obj):
        return obj.route.person

    def new_instance(self, kwargs):
        route = get_object_or_404(Route, pk=kwargs["route"])
        person = get_person(self.request.user, route.person_id, "manage")
        return person, RouteStep(route=route)


class MentoringFormView(GrowthFormView):
    model = Mentoring
    form_class = forms.MentoringForm
    title = "Наставническая пара"

    def person_of(self, obj):
        return obj.mentee

    def new_instance(self, kwargs):
        person = get_person(self.request.user, kwargs["person"], "manage")
        return person, Mentoring()

    def get_initial(self):
        if self.object.pk is None:
            return {"mentee": self.person.pk, "starts_on": timezone.localdate()}
        return {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["people"] = Person.objects.restrict(self.request.user, "manage")
        return kwargs


class StepStatusView(LoginRequiredMixin, FormView):
    """The teacher marks the progress of their own route; managers may do it too."""

    form_class = forms.StepStatusForm
    template_name = "growth/form.html"
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = get_object_or_404(RouteStep.objects.select_related("route__person"), pk=kwargs["pk"])
        person = self.object.route.person
        if person.user_id is None or person.user_id != request.user.pk:
            person = get_person(request.user, person.pk, "manage")
        self.person = person
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def form_valid(self, form):
        step = form.save()
        log_personal_data(
            self.request.user, self.person, PersonalDataAccess.Action.CHANGE, f"портфолио: статус шага «{step}»"
        )
        messages.success(self.request, f"Статус шага: {step.get_status_display()}.")
        return redirect(portfolio_url(self.person.pk))

    def form_invalid(self, form):
        messages.error(self.request, "Статус не изменён: выберите статус из списка.")
        return redirect(portfolio_url(self.person.pk))


class GrowthDeleteView(LoginRequiredMixin, TemplateView):
    template_name = "growth/confirm_delete.html"
    model = None
    person_path = "person"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = get_object_or_404(self.model, pk=kwargs["pk"])
        person = self.object
        for attr in self.person_path.split("."):
            person = getattr(person, attr)
        self.person = get_person(request.user, person.pk, "manage")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, object=self.object, **kwargs)

    def post(self, request, *args, **kwargs):
        name = str(self.object)
        with transaction.atomic():
            if getattr(self.object, "file", None):
                storage, stored = self.object.file.storage, self.object.file.name
                transaction.on_commit(lambda: storage.delete(stored))
            self.object.delete()
            log_personal_data(
                request.user, self.person, PersonalDataAccess.Action.CHANGE, f"портфолио: удалено «{name}»"
            )
        messages.success(request, f"Удалено: {name}.")
        return redirect(portfolio_url(self.person.pk))


class CourseFileView(LoginRequiredMixin, View):
    """A certificate scan is personal data: served only to those who may see the person (and logged)."""

    def get(self, request, pk):
        course = get_object_or_404(Course, pk=pk)
        person = get_person(request.user, course.person_id)
        if not course.file:
            raise Http404("Скан не загружен.")
        log_personal_data(request.user, person, PersonalDataAccess.Action.VIEW, f"скан удостоверения КПК {course.pk}")
        return FileResponse(course.file.open("rb"), filename=course.file.name.rsplit("/", 1)[-1])

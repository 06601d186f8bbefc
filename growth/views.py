from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from network.uploads import KeptUploadsViewMixin
from network.views import RestrictedObjectMixin, get_restricted
from orgunits.models import OrgUnit
from people.access import may_see_person
from people.models import Person, PersonalDataAccess
from people.services import log_personal_data
from people.views import get_person
from surveys import services as surveys
from workflow import engine as workflow

from . import forms, services
from .confirmation import is_own as is_own_person
from .confirmation import may_confirm_person, may_keep_courses
from .models import (
    Course,
    Diagnostic,
    Mentoring,
    Route,
    RouteStep,
)


def portfolio_url(person_id):
    return reverse("growth:portfolio", args=[person_id])


class PortfolioView(LoginRequiredMixin, TemplateView):
    template_name = "growth/portfolio.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        person = get_person(user, self.kwargs["pk"])
        log_personal_data(user, person, PersonalDataAccess.Action.VIEW, "портфолио")
        today = timezone.localdate()
        can_manage = may_see_person(user, person.pk, "manage")
        mentoring = Mentoring.objects.select_related("mentor", "mentee")
        is_own = person.user_id is not None and person.user_id == user.pk
        courses = list(person.courses.select_related("confirmed_by"))
        can_confirm = any(c.status == Course.Status.PENDING for c in courses) and may_confirm_person(user, person)
        return super().get_context_data(
            person=person,
            can_manage=can_manage,
            is_own=is_own,
            can_confirm=can_confirm,
            can_add_course=can_manage or is_own or may_confirm_person(user, person),
            awaiting_surveys=list(surveys.awaiting_answer(person, today).select_related("unit")) if is_own else [],
            suggestions=services.route_suggestions(person, today.year),
            suggestions_year=today.year,
            young=services.is_young_specialist(person, today),
            courses=courses,
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


class MyPortfolioView(LoginRequiredMixin, View):
    """/portfolio/ — «Моё портфолио» of the menu: the portfolio of the user's own card."""

    def get(self, request):
        person = Person.objects.filter(user=request.user).values_list("pk", flat=True).first()
        if person is None:
            messages.warning(
                request, "К вашей учётной записи не привязана карточка педагога: обратитесь к администратору сети."
            )
            return redirect("home")
        return redirect(portfolio_url(person))


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
            self.object = get_restricted(self.model.objects.all(), request.user, kwargs["pk"], "manage")
            self.person = get_person(request.user, self.person_of(self.object).pk, "manage")
        else:
            self.person, self.object = self.new_instance(kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # 152-ФЗ: an edit form shows the record (and the form of a new route, the person's diagnostics).
        what = "форма редактирования" if self.object.pk else "форма добавления"
        log_personal_data(
            request.user, self.person, PersonalDataAccess.Action.VIEW, f"портфолио: {what} «{self.title}»"
        )
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def save(self, form):
        return self.save_record(form)

    def save_record(self, form):
        """A new record is saved; an edit only if nobody saved the record since it was loaded
        (else None, with the conflict on the form)."""
        if form.instance.pk is None:
            return form.save()
        record = form.save(commit=False)
        if not form.save_versioned(record):
            return None
        form.save_m2m()
        return record

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
        messages.success(self.request, self.saved_message(obj))
        return redirect(portfolio_url(self.person.pk))

    def saved_message(self, obj) -> str:
        return "Сохранено."

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, title=self.title, is_new=self.object.pk is None, **kwargs)


class CourseFormView(KeptUploadsViewMixin, GrowthFormView):
    """A course: added and edited by whoever keeps the teacher's portfolio or confirms their courses
    (confirmed at once), or by the teacher themselves (waits for confirmation; editable until confirmed)."""

    model = Course
    form_class = forms.CourseForm
    title = "Курс повышения квалификации"

    def new_instance(self, kwargs):
        user = self.request.user
        person = get_person(user, kwargs["person"])
        if may_keep_courses(user, person):
            self.by_teacher = not user.is_superuser and is_own_person(user, person)
        elif is_own_person(user, person):
            self.by_teacher = True
        else:
            raise PermissionDenied("Добавлять курсы в портфолио педагога может он сам, его МО или администратор.")
        status = Course.Status.PENDING if self.by_teacher else Course.Status.CONFIRMED
        return person, Course(person=person, status=status)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.by_teacher = False
        if "pk" not in kwargs:
            return super().dispatch(request, *args, **kwargs)
        user = request.user
        self.object = get_restricted(Course.objects.select_related("person"), user, kwargs["pk"])
        person = self.object.person
        keeps = may_keep_courses(user, person)
        if not keeps:
            if not is_own_person(user, person):
                raise PermissionDenied("Изменять курсы педагога может он сам, его МО или администратор.")
            if self.object.status == Course.Status.CONFIRMED:
                raise PermissionDenied("Курс подтверждён: изменить его может МО или администратор.")
            self.by_teacher = True
        self.person = get_person(user, person.pk)
        return FormView.dispatch(self, request, *args, **kwargs)

    def save(self, form):
        created = form.instance.pk is None
        course = self.save_record(form)
        if course is None:
            return None
        now = timezone.now()
        if created and course.status == Course.Status.PENDING:
            Course.objects.filter(pk=course.pk).update(submitted_at=now)
            workflow.record_start(course, self.request.user, now=now)
        elif course.status == Course.Status.REJECTED and self.by_teacher:
            course = workflow.perform(course, "resubmit", self.request.user, now=now)
        return course

    def get_context_data(self, **kwargs):
        if self.by_teacher:
            kwargs.setdefault(
                "note",
                "Курс попадёт в портфолио со статусом «на подтверждении»: его проверит ваше методическое "
                "объединение. Приложите скан удостоверения — так подтвердят быстрее.",
            )
        return super().get_context_data(**kwargs)

    def saved_message(self, obj) -> str:
        if self.by_teacher and obj.status == Course.Status.PENDING:
            return "Курс сохранён и отправлен на подтверждение в ваше методическое объединение."
        return "Сохранено."


class CourseDecisionView(LoginRequiredMixin, View):
    """«Подтвердить» / «Отклонить» (with the reason) a course the teacher added: workflow.engine.perform."""

    http_method_names = ["post"]
    move = ""

    def post(self, request, pk):
        course = get_restricted(Course.objects.select_related("person"), request.user, pk)
        try:
            course = workflow.perform(course, self.move, request.user, reason=request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            label = "подтверждён" if self.move == "confirm" else "отклонён"
            messages.success(request, f"Курс «{course.title}» ({course.person.full_name}) {label}.")
        return redirect(portfolio_url(course.person_id) + f"#course-{course.pk}")


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
        diagnostic = self.save_record(form)
        if diagnostic is None:
            return None
        self.formset.instance = diagnostic
        self.formset.save()
        return diagnostic


class RouteFormView(GrowthFormView):
    model = Route
    form_class = forms.RouteForm
    title = "Индивидуальный образовательный маршрут"
    template_name = "growth/route_form.html"

    def suggestions(self, year):
        """The ИОМ suggestions of `year`, computed once a request (the initial goals and the card)."""
        cache = self.__dict__.setdefault("_suggestions", {})
        if year not in cache:
            cache[year] = services.route_suggestions(self.person, year)
        return cache[year]

    def get_initial(self):
        if self.object.pk is not None:
            return {}
        # Goals prefilled from the latest diagnostic's deficits and this year's survey needs: the
        # user edits them before saving.
        year = timezone.localdate().year
        latest = self.person.diagnostics.filter(date__year__lte=year).order_by("-date", "-pk").first()
        return {"year": year, "goals": services.suggested_goals(self.suggestions(year)), "diagnostic": latest}

    def get_context_data(self, **kwargs):
        year = self.object.year or timezone.localdate().year
        return super().get_context_data(suggestions=self.suggestions(year), suggestions_year=year, **kwargs)

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
        route = get_restricted(Route.objects.all(), self.request.user, kwargs["route"], "manage")
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
        # Seen by whoever sees the teacher; the teacher marks their own steps, others need «manage».
        self.object = get_restricted(RouteStep.objects.select_related("route__person"), request.user, kwargs["pk"])
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
        # A status change is a change too: an editor who loaded the step before it is warned.
        step.bump_version()
        log_personal_data(
            self.request.user, self.person, PersonalDataAccess.Action.CHANGE, f"портфолио: статус шага «{step}»"
        )
        messages.success(self.request, f"Статус шага: {step.get_status_display()}.")
        return redirect(portfolio_url(self.person.pk))

    def form_invalid(self, form):
        messages.error(self.request, "Статус не изменён: выберите статус из списка.")
        return redirect(portfolio_url(self.person.pk))


class GrowthDeleteView(RestrictedObjectMixin, TemplateView):
    """Delete a portfolio record: whoever may keep the teacher's card (else 403; 404 if unseen)."""

    template_name = "growth/confirm_delete.html"
    model = None
    action = "manage"
    person_path = "person"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.person = obj
        for attr in self.person_path.split("."):
            self.person = getattr(self.person, attr)
        return obj

    def get(self, request, *args, **kwargs):
        log_personal_data(
            request.user,
            self.person,
            PersonalDataAccess.Action.VIEW,
            f"портфолио: подтверждение удаления «{self.object}»",
        )
        return super().get(request, *args, **kwargs)

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
        course = get_restricted(Course.objects.all(), request.user, pk)
        person = get_person(request.user, course.person_id)
        if not course.file:
            raise Http404("Скан не загружен.")
        log_personal_data(request.user, person, PersonalDataAccess.Action.VIEW, f"скан удостоверения КПК {course.pk}")
        return FileResponse(course.file.open("rb"), filename=course.file.name.rsplit("/", 1)[-1])


class CourseDeleteView(GrowthDeleteView):
    """A course: deleted by whoever may change it (CourseFormView), the teacher only while unconfirmed."""

    model = Course

    def get_object(self, queryset=None):
        user = self.request.user
        course = get_restricted(Course.objects.select_related("person"), user, self.kwargs["pk"])
        person = course.person
        keeps = may_keep_courses(user, person)
        if not keeps and not (is_own_person(user, person) and course.status != Course.Status.CONFIRMED):
            raise PermissionDenied("Удалить этот курс может МО педагога или администратор.")
        self.person = person
        return course

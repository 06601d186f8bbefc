from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from network.forms import attach_errors
from network.idsets import id_array, read_ids
from network.models import normalize_search
from network.pagination import CappedPaginator
from orgunits import services as orgunit_services
from orgunits.access import access_for
from orgunits.models import DocumentType, OrgUnit, School
from orgunits.views import UnitActionMixin, get_unit
from submissions import editing

from . import candidates, services
from .access import may_see_person, q_for_person_rows, visible_ids
from .filters import PersonFilter
from .forms import (
    NOT_DUPLICATE,
    AddMemberForm,
    CandidacyEditForm,
    CandidacyForm,
    ChangeRoleForm,
    EndMembershipForm,
    PersonForm,
    PersonLoginForm,
)
from .models import Candidacy, Membership, Person, PersonalDataAccess
from .tables import PersonTable


def get_person(user, pk, action="view"):
    """One teacher's card by the rule of `get_restricted` (not visible → 404, visible but `action` not
    allowed → 403), checked for this one person by index probes (`q_for_person_rows`) rather than through
    the whole visible set, which is a region's 80 000 people for a reviewer."""
    access = access_for(user)
    seen = q_for_person_rows(access, "view")
    if seen is None:
        raise Http404("Не найдено.")
    people = Person.objects.select_related("school", "region", "user").filter(seen)
    allowed = seen if action == "view" else q_for_person_rows(access, action)
    person = people.filter(allowed, pk=pk).first() if allowed is not None else None
    if person is not None:
        return person
    if action != "view" and people.filter(pk=pk).exists():
        raise PermissionDenied("Недостаточно прав для этого действия.")
    raise Http404("Не найдено.")


class PersonListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    template_name = "people/person_list.html"
    table_class = PersonTable
    filterset_class = PersonFilter
    # The table paginates; a view-level paginate_by would count the rows a second time.
    table_pagination = {"per_page": 25, "paginator_class": CappedPaginator}

    # Up to this many visible people the id set is read once and handed to the count and the page as one
    # array parameter; more than that (a whole country) stays a subquery of each.
    ID_SET_LIMIT = 200_000

    def get_queryset(self):
        access = access_for(self.request.user)
        people = Person.objects.restrict(self.request.user, "view")
        if connection.vendor == "postgresql" and not access.superuser:
            # The visible set is a UNION over memberships, schools and regions (people.access); the count
            # and the page each computed it again. Read once here (one row of text), it is one array
            # parameter of both.
            # Whole regions held (a РУМО reviewer): «the region's people» is an index on person.region, and
            # only those beyond it (members of the region's units from elsewhere) travel as ids.
            regions = sorted(access.regions("view_people"))
            ids = visible_ids(access, "view", beyond_regions=bool(regions))
            if ids is not None and not isinstance(ids, list):
                text = read_ids(ids, self.ID_SET_LIMIT)
                if text is not None:
                    q = Q(pk__any_of=id_array(text))
                    people = Person.objects.filter(Q(region__in=regions) | q if regions else q)
            elif isinstance(ids, list) and regions:
                people = Person.objects.filter(region__in=regions)
        # The school of the page's 25 rows only (a join before the sort joined every visible person).
        return people.prefetch_related("school")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        access = access_for(self.request.user)
        context = super().get_context_data(can_add=access.administers_anything, **kwargs)
        # 152-ФЗ: the people shown on this page were read. Their rows are fetched here once and the
        # table renders the same (cached) rows, so logging costs one insert, not a second query.
        shown = [row.record.pk for row in context["table"].page.object_list]
        services.log_personal_data_many(self.request.user, shown, PersonalDataAccess.Action.VIEW, "список педагогов")
        return context


class PersonDetailView(LoginRequiredMixin, TemplateView):
    template_name = "people/person_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        person = get_person(user, self.kwargs["pk"])
        # 152-ФЗ: every read of a person's card is on record.
        services.log_personal_data(user, person, PersonalDataAccess.Action.VIEW, "карточка")
        memberships = person.memberships.select_related("unit__kind").order_by("-starts_on")
        visible_units = set(
            OrgUnit.objects.restrict(user, "view")
            .filter(pk__in=[m.unit_id for m in memberships])
            .values_list("pk", flat=True)
        )
        today = timezone.localdate()
        consents = list(person.consents.all())
        return super().get_context_data(
            person=person,
            consents=consents,
            has_active_consent=any(c.is_active(today) and c.purpose == "processing" for c in consents),
            today=today,
            current=[m for m in memberships if m.left_on is None],
            former=[m for m in memberships if m.left_on is not None],
            visible_units=visible_units,
            subjects=list(person.subjects.all()),
            can_edit=may_see_person(user, person.pk, "manage"),
            teaching_years=person.teaching_years(timezone.localdate()),
            # Evaluated only when the template shows it (to those who may edit the card).
            grant_log=orgunit_services.grant_log_for(user, person.user_id) if person.user_id else [],
            **kwargs,
        )


class PersonFormView(LoginRequiredMixin, FormView):
    template_name = "people/person_form.html"
    form_class = PersonForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.person = get_person(request.user, kwargs["pk"], "manage") if "pk" in kwargs else None
        if self.person is None and not access_for(request.user).administers_anything:
            raise PermissionDenied("Добавлять педагогов могут администраторы.")
        return super().dispatch(request, *args, **kwargs)

    def _schools(self):
        return School.objects.restrict(self.request.user, "manage").select_related("municipality")

    def get(self, request, *args, **kwargs):
        if self.person is not None:
            # The form shows the whole card: a read like the card page. A POST is logged as the change.
            services.log_personal_data(
                request.user, self.person, PersonalDataAccess.Action.VIEW, "форма редактирования"
            )
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.person
        kwargs["schools"] = self._schools()
        return kwargs

    def form_valid(self, form):
        user = self.request.user
        if self.person is None:
            if self.similar_found(form):
                return self.form_invalid(form)
            person = form.save(commit=False)
            school = form.cleaned_data.get("school")
            if school is not None:
                person.region_id = school.municipality.region_id
            else:
                regions = access_for(user).regions("manage")
                if len(regions) != 1:
                    form.add_error("school", "Укажите школу: по ней определяется регион педагога.")
                    return self.form_invalid(form)
                person.region_id = regions.pop()
            person.save()
            form.save_m2m()
            services.log_personal_data(user, person, PersonalDataAccess.Action.CREATE, "карточка создана")
        else:
            person = form.save(commit=False)  # sets up form.save_m2m() for after the versioned save
            if not form.save_versioned(person):
                return self.form_invalid(form)
            form.save_m2m()
            services.log_personal_data(
                user, person, PersonalDataAccess.Action.CHANGE, "изменены: " + ", ".join(form.changed_data)
            )
        messages.success(self.request, f"Карточка «{person}» сохранена.")
        return redirect(person)

    def similar_found(self, form) -> bool:
        """A new card like an existing one (name, school, subject): show the «Похожие карточки»
        warning — the ones the user may see as links, the rest only counted — unless the user
        ticked «Это другой человек, сохранить»."""
        if form.cleaned_data.get(NOT_DUPLICATE):
            return False
        data = form.cleaned_data
        similar = services.similar_people(
            last_name=data["last_name"],
            first_name=data["first_name"],
            middle_name=data.get("middle_name", ""),
            school=data.get("school"),
            subjects=data.get("subjects") or (),
        )
        if not similar:
            return False
        visible_ids = set(
            Person.objects.restrict(self.request.user, "view")
            .filter(pk__in=[p.pk for p in similar])
            .values_list("pk", flat=True)
        )
        self.similar = [p for p in similar if p.pk in visible_ids]
        self.similar_hidden = len(similar) - len(self.similar)
        form.ask_not_duplicate()
        form.add_error(
            NOT_DUPLICATE,
            "Похоже, такой педагог уже есть. Проверьте похожие карточки; если это другой человек, "
            "отметьте «Это другой человек, сохранить».",
        )
        return True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person,
            similar=getattr(self, "similar", None),
            similar_hidden=getattr(self, "similar_hidden", 0),
            **kwargs,
        )


class MemberAddView(UnitActionMixin, FormView):
    """Find a teacher, then give the role and the term."""

    template_name = "people/member_add.html"
    form_class = AddMemberForm
    unit_action = "manage_members"

    def candidates(self):
        return (
            Person.objects.restrict(self.request.user, "view")
            .filter(region=self.unit.region)
            .exclude(memberships__unit=self.unit, memberships__left_on__isnull=True)
            .select_related("school")
        )

    def get_initial(self):
        initial = {"starts_on": timezone.localdate()}
        if self.request.GET.get("person", "").isdigit():
            initial["person"] = int(self.request.GET["person"])
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["people"] = self.candidates()
        kwargs["unit"] = self.unit
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            membership = services.add_member(
                unit=self.unit,
                person=data["person"],
                role=data["role"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=self.request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{membership.person.full_name} — {membership.get_role_display()} до {membership.ends_on:%d.%m.%Y}.",
        )
        return redirect(self.unit)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        ctx["query"] = query
        if query:
            ctx["found"] = list(self.candidates().filter(search__contains=normalize_search(query))[:20])
            # 152-ФЗ: the results show names, positions and schools, like a page of the person list.
            services.log_personal_data_many(
                self.request.user,
                [p.pk for p in ctx["found"]],
                PersonalDataAccess.Action.VIEW,
                f"поиск педагога для состава «{self.unit}»",
            )
        person_id = self.request.POST.get("person") or self.request.GET.get("person")
        if person_id and str(person_id).isdigit():
            ctx["selected"] = self.candidates().filter(pk=int(person_id)).first()
        return ctx


class MembershipActionView(LoginRequiredMixin, FormView):
    template_name = "people/membership_action.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = get_object_or_404(
            Membership.objects.select_related("unit__kind", "unit__region", "person"), pk=kwargs["pk"]
        )
        get_unit(request.user, membership.unit_id, "manage_members")
        if membership.left_on is not None:
            messages.error(request, "Срок уже завершён.")
            return redirect(membership.unit)
        self.membership = membership
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            membership=self.membership, unit=self.membership.unit, title=self.title, **kwargs
        )

    def done(self, form, call):
        try:
            call()
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.membership.unit)


class MembershipEndView(MembershipActionView):
    form_class = EndMembershipForm
    title = "Завершить срок"
    success_message = "Срок завершён. Запись осталась в истории состава."

    def form_valid(self, form):
        return self.done(
            form, lambda: services.end_membership(self.membership, form.cleaned_data["left_on"], by=self.request.user)
        )


class MembershipRoleView(MembershipActionView):
    form_class = ChangeRoleForm
    title = "Изменить роль"
    success_message = "Роль изменена: прежняя запись закрыта, новая открыта."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "membership": self.membership}

    def form_valid(self, form):
        data = form.cleaned_data
        return self.done(
            form, lambda: services.change_role(self.membership, data["role"], data["on"], by=self.request.user)
        )


class PersonLoginView(LoginRequiredMixin, FormView):
    """Give a person a login (or take it away): their memberships then grant them access."""

    template_name = "people/person_login.html"
    form_class = PersonLoginForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.person = get_person(request.user, kwargs["pk"], "manage")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.person}

    def post(self, request, *args, **kwargs):
        if "unlink" in request.POST:
            if self.person.user_id is None:
                messages.error(request, "У педагога нет учётной записи.")
            elif self.person.user_id == request.user.pk:
                messages.error(request, "Нельзя отвязать собственную учётную запись.")
            else:
                services.link_user(self.person, None, by=request.user)
                services.log_personal_data(
                    request.user, self.person, PersonalDataAccess.Action.CHANGE, "учётная запись отвязана"
                )
                messages.success(request, "Учётная запись отвязана: доступ по составам снят.")
            return redirect(self.person)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if self.person.user_id is not None:
            form.add_error(None, "У педагога уже есть учётная запись. Сначала отвяжите её.")
            return self.form_invalid(form)
        user, created = services.give_login(
            self.person, form.cleaned_data["username"], request=self.request, by=self.request.user
        )
        if created:
            messages.success(
                self.request,
                f"Создана учётная запись «{user.username}»; ссылка для пароля отправлена на {self.person.email}.",
            )
        else:
            messages.success(self.request, f"Учётная запись «{user.username}» привязана к карточке.")
        return redirect(self.person)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)


class AccessLogView(LoginRequiredMixin, TemplateView):
    """Who read, changed or exported a person's data, when and why: visible to those who administer
    the person and to the person themself (152-ФЗ art. 14: the subject may know how their data is used).
    A fixed number of queries whatever the length of the log (an index on person and time)."""

    template_name = "people/access_log.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        own = Person.objects.filter(pk=self.kwargs["pk"], user_id=user.pk).select_related("school", "region", "user")
        person = own.first() or get_person(user, self.kwargs["pk"], "manage")
        action = self.request.GET.get("action", "")
        if action not in PersonalDataAccess.Action.values:
            action = ""  # an unknown filter shows everything rather than an empty page
        # The log is read too: who looked at whom looked at the data is on record.
        services.log_personal_data(user, person, PersonalDataAccess.Action.VIEW, "журнал доступа")
        entries = person.access_log.select_related("user", "export").order_by("-at", "-pk")
        if action:
            entries = entries.filter(action=action)
        return super().get_context_data(
            person=person,
            action=action,
            actions=PersonalDataAccess.Action.choices,
            page_obj=Paginator(entries, self.per_page).get_page(self.request.GET.get("page")),
            **kwargs,
        )


# -- candidacies of a chair (issue 4) -------------------------------------------------------------

CANDIDATE_CHOICES_LIMIT = 500


def candidate_people(user, unit):
    """Whom a unit may propose: its active members, and up to 500 people of the region the user sees."""
    members = list(
        Membership.objects.active().filter(unit=unit).values_list("person_id", flat=True).order_by("person_id")
    )
    region = list(
        Person.objects.restrict(user, "view")
        .filter(region=unit.region)
        .values_list("pk", flat=True)[:CANDIDATE_CHOICES_LIMIT]
    )
    return Person.objects.filter(pk__in=set(members) | set(region)).select_related("school")


class CandidacyProposeView(UnitActionMixin, FormView):
    """«Предложить кандидатуру председателя»: a draft candidacy, agreed with the approver (РУМО)."""

    template_name = "people/candidacy_form.html"
    form_class = CandidacyForm
    unit_action = "manage_members"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "people": candidate_people(self.request.user, self.unit),
            "unit": self.unit,
        }

    def get_initial(self):
        return {"role": Candidacy.Role.CHAIR}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            submission = candidates.propose(
                self.unit,
                data["person"],
                data["justification"],
                self.request.user,
                timezone.now(),
                role=data["role"],
                proposed_from=data["proposed_from"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Кандидатура сохранена как черновик: отправьте её на согласование.")
        return redirect(submission)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Кандидатура: {self.unit.name}", **kwargs)


class CandidacyEditView(LoginRequiredMixin, FormView):
    """A draft or returned candidacy: another person, role or justification (a versioned edit)."""

    template_name = "people/candidacy_form.html"
    form_class = CandidacyEditForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.submission = editing.get_for_editing(request.user, kwargs["pk"], DocumentType.CANDIDATE)
        self.candidacy = get_object_or_404(Candidacy, submission=self.submission)
        self.unit = self.submission.unit
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "people": candidate_people(self.request.user, self.unit),
            "unit": self.unit,
        }

    def get_initial(self):
        c = self.candidacy
        return {
            "person": c.person_id,
            "role": c.role,
            "justification": c.justification,
            "proposed_from": c.proposed_from,
            "expected_version": self.submission.version,
        }

    def form_valid(self, form):
        data = form.cleaned_data

        def change(locked):
            candidacy = Candidacy.objects.select_for_update().get(submission=locked)
            candidacy.person = data["person"]
            candidacy.role = data["role"]
            candidacy.justification = data["justification"].strip()
            candidacy.proposed_from = data["proposed_from"]
            candidacy.save()

        try:
            editing.edit(self.submission, self.request.user, data["expected_version"], change)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Кандидатура изменена.")
        return redirect(self.submission)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit=self.unit,
            submission=self.submission,
            not_editable=editing.not_editable_message(self.submission, self.request.user),
            title=f"Изменить кандидатуру: {self.unit.name}",
            **kwargs,
        )

"""The order register, one order, its editor, signing, its PDF, and the orders made from a plan
or from a unit's composition.

Visibility follows the portal's rule: whoever sees the issuing unit sees its orders; what
one may not see is 404, what one sees but may not do is 403. Orders are prepared by those
who administer the unit or file its documents (services.may_issue).
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, Min, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView, TemplateView

from network.forms import attach_errors
from network.models import StaleVersionError, normalize_search
from network.pagination import CappedPaginator
from network.pdf import pdf_response
from network.uploads import KeptUploadsViewMixin
from network.views import get_restricted, get_unit
from orgunits.access import access_for
from orgunits.models import OrgUnit
from orgunits.views import UnitActionMixin
from people.models import Person
from submissions.models import State, Submission
from workflow.kinds import codes_where
from workflow.kinds import kind as document_kind

from . import services
from .forms import (
    CONTROL_HINTS,
    AgreementForm,
    CreateOrderForm,
    OrderForm,
    PointFormSet,
    RegisterFilterForm,
    ReturnToDraftForm,
)
from .models import Order, OrderStatus, OrderTemplate

PAGE_SIZE = 50
ORDER_RELATED = ("unit__kind", "unit__region", "signatory", "executor", "submission__campaign", "submission__unit")


# The words of orders.services.check_may_issue: who prepares a unit's orders.
NOT_AN_ISSUER = "Приказы подразделения готовят его администраторы, председатель и секретарь."


def get_order(user, pk, action: str = "view") -> Order:
    """An order of a unit the user sees (else 404); «keep_records» there — to prepare it — else 403."""
    return get_restricted(Order.objects.select_related(*ORDER_RELATED), user, pk, action, denied=NOT_AN_ISSUER)


def unit_people(unit, *also):
    """Who may sign or execute an order of the unit: its active members (and whoever is set now)."""
    ids = [p.pk for p in also if p is not None]
    # Scoped by the unit, which the view has just checked (and the people already on the order).
    members = Person.objects.filter(memberships__unit=unit, memberships__left_on__isnull=True)
    return (members | Person.objects.filter(pk__in=ids)).distinct().order_by("last_name", "first_name")


def filtered(orders, form: RegisterFilterForm):
    """Apply the register's filters: words of the heading or the number, unit (or words of its name),
    year, status. Words are matched in the case-folded `search` columns, which PostgreSQL serves from
    their trigram indexes (orders/migrations/0004_trigram_search.py, network/migrations/0002…)."""
    query = (form.value("q") or "").strip()
    if query:
        needle = normalize_search(query.lstrip("№").strip())
        if needle.isdigit():  # a registration number
            orders = orders.filter(number=int(needle))
        else:
            for word in needle.split()[:8]:
                orders = orders.filter(search__contains=word)
    if form.value("unit"):
        orders = orders.filter(unit_id=form.value("unit"))
    unit_words = normalize_search(form.value("unit_q") or "").split()[:8]
    for word in unit_words:
        orders = orders.filter(unit__search__contains=word)
    if form.value("year"):
        orders = orders.filter(year=form.value("year"))
    if form.value("status"):
        orders = orders.filter(status=form.value("status"))
    return orders


# At most this many units are offered as a list in the register's filter; more — words of the name.
UNIT_OPTIONS_LIMIT = 200


def register_years():
    """The years the filter offers: from the first registration year to the last (two index reads, not
    a DISTINCT over every visible order of a country)."""
    bounds = Order.objects.order_by().aggregate(first=Min("year"), last=Max("year"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["first"], bounds["last"] + 1))


class RegisterMixin:
    """A paginated, filtered register of orders."""

    template_name = "orders/order_list.html"

    def register(self, orders, *, units=None, unit_search=False):
        form = RegisterFilterForm(
            self.request.GET or None, units=units, unit_search=unit_search, years=register_years()
        )
        # The page is cut from the bare orders in the order of the index order_register (or order_unit_date
        # for one unit); the units and signatories of those 50 rows are read afterwards — sorting a national
        # register joined with a million people is what made it take seconds.
        rows = filtered(orders, form).order_by("-date", "-number", "-pk").prefetch_related("unit", "signatory")
        page = CappedPaginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        chosen_unit = None
        if unit_search and form.value("unit"):
            chosen_unit = OrgUnit.objects.restrict(self.request.user, "view").filter(pk=form.value("unit")).first()
        return {"filter_form": form, "page_obj": page, "orders": page.object_list, "chosen_unit": chosen_unit}


def issuing_units(user):
    """The active units whose orders `user` may prepare (services.may_issue), by name."""
    return OrgUnit.objects.restrict(user, "keep_records").active().select_related("kind").order_by("name")


class RegisterView(LoginRequiredMixin, RegisterMixin, TemplateView):
    """All the orders of the units the user can see; «Создать приказ» for those who prepare orders."""

    def get_context_data(self, **kwargs):
        orders = Order.objects.restrict(self.request.user, "view")
        # The units the user sees that have orders: a list when they are few (the filter offers no unit
        # one does not see), else the filter takes words of the name. Read at most LIMIT + 1 of them,
        # unsorted, so a national viewer's check stops early instead of sorting every unit of the country.
        with_orders = Exists(Order.objects.filter(unit=OuterRef("pk")))
        few = list(
            OrgUnit.objects.restrict(self.request.user, "view")
            .filter(with_orders)
            .order_by()
            .values_list("pk", "name")[: UNIT_OPTIONS_LIMIT + 1]
        )
        many = len(few) > UNIT_OPTIONS_LIMIT
        units = None if many else sorted(few, key=lambda u: (u[1], u[0]))
        return super().get_context_data(
            title="Приказы",
            can_create=issuing_units(self.request.user).exists(),
            **self.register(orders, units=units, unit_search=many),
            **kwargs,
        )


class ChooseUnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="Подразделение, издающее приказ",
        queryset=OrgUnit.objects.none(),
        empty_label="— выберите подразделение —",
        error_messages={"invalid_choice": "Выберите подразделение из списка: в других вы не готовите приказы."},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class NewOrderView(LoginRequiredMixin, TemplateView):
    """«Создать приказ» from the register: the unit's page of templates, after choosing the unit if
    the user prepares orders of several (?unit=…); one who prepares none gets 403."""

    template_name = "orders/order_new.html"

    def get(self, request, *args, **kwargs):
        units = issuing_units(request.user)
        choices = list(units[:2])
        if not choices:
            raise PermissionDenied(NOT_AN_ISSUER)
        if len(choices) == 1:
            return redirect("orders:create", pk=choices[0].pk)
        form = ChooseUnitForm(request.GET if "unit" in request.GET else None, units=units)
        if form.is_bound and form.is_valid():
            return redirect("orders:create", pk=form.cleaned_data["unit"].pk)
        return self.render_to_response(self.get_context_data(form=form))


class UnitRegisterView(UnitActionMixin, RegisterMixin, TemplateView):
    """The orders of one unit; those who prepare its orders start new ones here."""

    unit_action = "view"

    def get_context_data(self, **kwargs):
        user = self.request.user
        access = access_for(user)
        return super().get_context_data(
            title=f"Приказы: {self.unit}",
            can_issue=services.may_issue(user, self.unit),
            can_manage_members=access.can("manage_members", self.unit),
            templates=[t for t in OrderTemplate if t != OrderTemplate.APPROVE_COMPOSITION],
            **self.register(self.unit.orders.all()),
            **kwargs,
        )


class OrderCreateView(LoginRequiredMixin, FormView):
    """A new order from a template (?template=…): the template's few questions, then the draft."""

    template_name = "orders/order_create.html"
    form_class = CreateOrderForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_unit(request.user, kwargs["pk"], "keep_records", denied=NOT_AN_ISSUER)
        template = request.POST.get("template") or request.GET.get("template") or ""
        self.template = template if template in OrderTemplate.values else None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.template is None:  # the choice of template
            return self.render_to_response(self.get_context_data(form=None))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.template is None:
            return redirect("orders:create", pk=self.unit.pk)
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        today = timezone.localdate()
        initial = {"date": today, "place": services.default_place(self.unit)}
        if self.template == OrderTemplate.APPOINT_CHAIR:
            initial["person"] = services.chair_of(self.unit)
        return initial

    def get_form_kwargs(self):
        plans = (
            Submission.objects.restrict(self.request.user, "view")
            .filter(
                unit=self.unit,
                state=State.APPROVED,
                campaign__document_type__in=codes_where(order_template=OrderTemplate.APPROVE_PLAN),
            )
            .select_related("campaign", "unit")
            .order_by("-campaign__year")
        )
        return {
            **super().get_form_kwargs(),
            "template": self.template,
            "people": unit_people(self.unit),
            "plans": plans,
        }

    def form_valid(self, form):
        try:
            order = services.create_order(
                self.unit, self.template, form.cleaned_data["date"], self.request.user, **form.context()
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Проект приказа № {order.number} создан: проверьте текст и пункты.")
        return redirect("orders:edit", pk=order.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit=self.unit,
            template=self.template,
            template_label=OrderTemplate(self.template).label if self.template else "",
            templates=[t for t in OrderTemplate if t != OrderTemplate.APPROVE_COMPOSITION],
            can_manage_members=access_for(self.request.user).can("manage_members", self.unit),
            **kwargs,
        )


class OrderDetailView(LoginRequiredMixin, TemplateView):
    template_name = "orders/order_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        order = get_order(user, self.kwargs["pk"])
        can_issue = services.may_issue(user, order.unit)
        needs_agreement = services.needs_agreement(order)
        problems = services.sign_problems(order) if order.is_editable else []
        return super().get_context_data(
            order=order,
            points=list(order.points.all()),
            can_edit=can_issue and order.is_editable,
            can_act=can_issue and not order.is_signed,
            problems=problems,
            needs_agreement=needs_agreement,
            agreement=services.current_agreement(order) if needs_agreement else None,
            agreement_problems=services.agreement_problems(order) if not order.is_signed else [],
            return_form=ReturnToDraftForm() if can_issue and order.status in RETURNABLE else None,
            can_see_submission=bool(order.submission_id) and access_for(user).can("view", order.submission.unit),
            **kwargs,
        )


class OrderEditView(LoginRequiredMixin, TemplateView):
    """The draft's requisites and points in one form, saved as one versioned edit."""

    template_name = "orders/order_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.order = get_order(request.user, kwargs["pk"], "keep_records")
        if not self.order.is_editable:
            messages.error(request, services.FROZEN if self.order.is_signed else services.ON_AGREEMENT)
            return redirect(self.order)
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        order = self.order
        people = unit_people(order.unit, order.signatory, order.executor)
        form = OrderForm(data, instance=order, people=people)
        initial = [{"text": p.text, "executor": p.executor, "term": p.term} for p in order.points.all()]
        points = PointFormSet(data, initial=initial, prefix="points")
        return form, points

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["points"] = self.forms()
        return super().get_context_data(order=self.order, control_hints=CONTROL_HINTS, **kwargs)

    def post(self, request, *args, **kwargs):
        form, points = self.forms(request.POST)
        if form.is_valid() and points.is_valid():
            data = form.cleaned_data
            try:
                order = services.update_order(
                    self.order,
                    fields={name: data[name] for name in services.EDITABLE_FIELDS},
                    points=points.points(),
                    expected_version=data["expected_version"],
                    by=request.user,
                )
            except StaleVersionError:
                form.add_error(None, form.conflict_message)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Приказ № {order.number} сохранён.")
                return redirect(order)
        return self.render_to_response(self.get_context_data(form=form, points=points))


class OrderSignView(LoginRequiredMixin, View):
    """«Подписан»: the paper original is signed; the order is frozen from now on."""

    def post(self, request, pk):
        order = get_order(request.user, pk, "keep_records")
        try:
            order = services.sign_order(order, request.user, timezone.now())
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Приказ № {order.number} отмечен как подписанный; изменения больше не вносятся.")
        return redirect(order)


RETURNABLE = (OrderStatus.AGREEMENT, OrderStatus.AGREED)


class OrderSendForAgreementView(LoginRequiredMixin, View):
    """001 §2.2: the composition order goes to the municipal education authority before it is signed."""

    def post(self, request, pk):
        order = get_order(request.user, pk, "keep_records")
        try:
            order = services.send_for_agreement(order, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"Приказ № {order.number} — на согласовании с органом управления образованием. "
                "Получив письмо о согласовании, внесите его здесь.",
            )
        return redirect(order)


class OrderAgreementView(LoginRequiredMixin, KeptUploadsViewMixin, FormView):
    """Enter the authority's letter: who agreed, its number and date, a scan."""

    template_name = "orders/agreement_form.html"
    form_class = AgreementForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.order = get_order(request.user, kwargs["pk"], "keep_records")
        if self.order.status != OrderStatus.AGREEMENT:
            messages.error(request, "Согласование вносится для приказа, направленного на согласование.")
            return redirect(self.order)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return services.default_authority(self.order.unit)

    def form_valid(self, form):
        try:
            order = services.record_agreement(self.order, self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Согласование внесено: приказ № {order.number} можно отметить подписанным.")
        return redirect(order)

    def get_context_data(self, **kwargs):
        return super().get_context_data(order=self.order, **kwargs)


class OrderReturnToDraftView(LoginRequiredMixin, View):
    """Back to a draft (remarks of the authority, or a change): the agreement is withdrawn."""

    def post(self, request, pk):
        order = get_order(request.user, pk, "keep_records")
        form = ReturnToDraftForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(order)
        try:
            order = services.return_to_draft(order, request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Приказ № {order.number} возвращён в проект: согласование отозвано.")
        return redirect(order)


class AgreementScanView(LoginRequiredMixin, View):
    """The scan of the letter of the order's current agreement: whoever sees the order."""

    def get(self, request, pk):
        order = get_order(request.user, pk)
        agreement = services.current_agreement(order)
        if agreement is None or not agreement.scan:
            raise Http404("Скан письма не прикреплён.")
        return FileResponse(agreement.scan.open("rb"), filename=agreement.scan_name or "soglasovanie")


class OrderPdfView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return pdf_response(request, "order", get_order(request.user, pk))

    def post(self, request, pk):  # «Повторить» after a failed rendering
        return pdf_response(request, "order", get_order(request.user, pk))


class FromSubmissionView(LoginRequiredMixin, View):
    """An order prepared from an approved document; a second click opens the existing one."""

    template: str  # the OrderTemplate; the document's registered kind says whether it leads to one
    refused: str
    created_message: str
    existing_message: str

    def build(self, submission, user, today):
        raise NotImplementedError

    def post(self, request, pk):
        submission = get_restricted(
            Submission.objects.select_related("campaign", "unit__kind"), request.user, pk, "view"
        )
        services.check_may_issue(request.user, submission.unit)
        prepared = document_kind(submission.document_type).order_template == self.template
        if not prepared or submission.state != State.APPROVED:
            messages.error(request, self.refused)
            return redirect(submission)
        try:
            order, created = self.build(submission, request.user, timezone.localdate())
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(submission)
        if created:
            messages.success(request, self.created_message.format(number=order.number))
        else:
            messages.info(request, self.existing_message.format(number=order.number))
        return redirect(order)


class FromPlanView(FromSubmissionView):
    """«Подготовить приказ об утверждении плана»: the pre-filled order of the plan's unit."""

    template = OrderTemplate.APPROVE_PLAN
    refused = "Приказ об утверждении готовится только по согласованному плану работы."
    created_message = "Проект приказа № {number} об утверждении плана подготовлен."
    existing_message = "Приказ об утверждении этого плана уже есть: № {number}."

    def build(self, submission, user, today):
        return services.order_for_plan(submission, user, today)


class FromCandidacyView(FromSubmissionView):
    """«Подготовить приказ о назначении»: the appoint_chair order of an approved candidacy."""

    template = OrderTemplate.APPOINT_CHAIR
    refused = "Приказ о назначении готовится только по согласованной кандидатуре."
    created_message = "Проект приказа № {number} о назначении председателя подготовлен."
    existing_message = "Приказ по этой кандидатуре уже есть: № {number}."

    def build(self, submission, user, today):
        return services.order_for_candidacy(submission, user, today)


class CompositionView(UnitActionMixin, TemplateView):
    """«Утвердить состав»: the composition on a date, its renewal (001 §2.8), and the order."""

    unit_action = "manage_members"
    template_name = "orders/composition.html"

    def on(self, value) -> datetime.date:
        """The date of the composition: the one asked for, else today."""
        try:
            return forms.DateField().clean(value)
        except ValidationError:
            return timezone.localdate()

    def get_context_data(self, **kwargs):
        on = self.on(self.request.GET.get("date"))
        return super().get_context_data(
            on=on,
            members=services.composition(self.unit, on),
            renewal=services.renewal(self.unit, on),
            can_issue=services.may_issue(self.request.user, self.unit),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        services.check_may_issue(request.user, self.unit)
        on = self.on(request.POST.get("date"))
        try:
            order = services.create_order(self.unit, OrderTemplate.APPROVE_COMPOSITION, on, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(reverse("orders:composition", args=[self.unit.pk]) + "?" + urlencode({"date": on}))
        messages.success(request, f"Проект приказа № {order.number} об утверждении состава создан.")
        return redirect("orders:edit", pk=order.pk)

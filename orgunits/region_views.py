"""Portal pages of a regional administrator: what the admin used to offer, scoped to their regions.

Rule for every page: a region nobody showed the user is 404; a region they see but do not
administer (no administrator role at its root) is 403. The superuser sees every region.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView

from network.models import normalize_search
from people.models import PersonalDataAccess

from . import grant_log
from .access import access_for
from .forms import AccessLogFilterForm, RegionSettingsForm
from .models import DocumentType, OrgUnit, Region, UnitKind

NOT_ADMIN = "Эта страница — для администраторов региона. Обратитесь к администратору своего региона."


def administered_regions(user):
    access = access_for(user)
    regions = Region.objects.order_by("name")
    return regions if access.superuser else regions.filter(pk__in=access.regions("manage"))


def get_region(user, pk) -> Region:
    """The region of the URL if the user administers it: 404 when it is not theirs to see, else 403."""
    region = get_object_or_404(Region, pk=pk)
    access = access_for(user)
    if access.is_regional("manage", region.pk):
        return region
    # Any grant inside the region (a reviewer, a member) makes the region visible: then it is 403.
    if access.sees_region(region.pk):
        raise PermissionDenied(NOT_ADMIN)
    raise Http404("Регион не найден.")


class RegionAdminMixin(LoginRequiredMixin):
    """Pages about one region: resolves `self.region` and checks the user administers it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.region = get_region(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(region=self.region, **kwargs)


class AnyRegionAdminMixin(LoginRequiredMixin):
    """Pages for whoever administers some region (or the superuser)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        access = access_for(request.user)
        if not (access.superuser or access.regions("manage")):
            raise PermissionDenied(NOT_ADMIN)
        return super().dispatch(request, *args, **kwargs)


class RegionAdminIndexView(AnyRegionAdminMixin, TemplateView):
    """«Администрирование»: the regions the user administers and what can be done for each."""

    template_name = "orgunits/region_admin.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(regions=list(administered_regions(self.request.user)), **kwargs)


class UnitKindListView(AnyRegionAdminMixin, TemplateView):
    """Unit kinds are reference data shared by all regions: shown here, changed by the superuser only."""

    template_name = "orgunits/unit_kinds.html"

    def get_context_data(self, **kwargs):
        kinds = UnitKind.objects.order_by("level", "name").prefetch_related(
            Prefetch("allowed_parents", queryset=UnitKind.objects.order_by("name"))
        )
        labels = dict(DocumentType.choices)
        rows = [
            (
                kind,
                [labels.get(code, code) for code in kind.files_documents],
                [labels.get(code, code) for code in kind.approves_documents],
            )
            for kind in kinds
        ]
        return super().get_context_data(rows=rows, **kwargs)


class RegionSettingsView(RegionAdminMixin, FormView):
    template_name = "orgunits/region_settings.html"
    form_class = RegionSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.region}

    def form_valid(self, form):
        if form.has_changed():
            form.save()
            messages.success(self.request, f"Настройки региона «{self.region}» сохранены.")
        else:
            messages.info(self.request, "Ничего не изменилось: настройки остались прежними.")
        return redirect("orgunits:region_settings", pk=self.region.pk)


class RegionAccessLogView(RegionAdminMixin, TemplateView):
    """The region's 152-ФЗ log: reads, changes and exports of the data of its people."""

    template_name = "orgunits/region_access_log.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        form = AccessLogFilterForm(self.request.GET or None, actions=PersonalDataAccess.Action.choices)
        entries = PersonalDataAccess.objects.filter(person__region=self.region)
        if form.is_bound:
            form.is_valid()
            entries = filter_access_log(entries, form.cleaned_data)
        entries = entries.select_related("user", "person").order_by("-at", "-pk")
        return super().get_context_data(
            form=form, page_obj=Paginator(entries, self.paginate_by).get_page(self.request.GET.get("page")), **kwargs
        )


def filter_access_log(entries, data: dict):
    """Apply the valid filters only (`cleaned_data` holds just the fields that passed)."""
    if data.get("person"):
        entries = entries.filter(person__search__contains=normalize_search(data["person"]))
    if data.get("user"):
        text = data["user"].strip()
        entries = entries.filter(Q(user__username__icontains=text) | Q(user__last_name__icontains=text))
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("date_from"):
        entries = entries.filter(at__date__gte=data["date_from"])
    if data.get("date_to"):
        entries = entries.filter(at__date__lte=data["date_to"])
    return entries


class RegionGrantLogView(RegionAdminMixin, TemplateView):
    """Every role granted or revoked at a unit of the region."""

    template_name = "orgunits/region_grant_log.html"

    def get_context_data(self, **kwargs):
        entries = grant_log.for_units(OrgUnit.objects.filter(region=self.region)).select_related("actor")
        page = Paginator(entries, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, grant_rows=grant_log.rows(page.object_list), **kwargs)

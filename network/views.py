from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.generic import TemplateView

from orgunits.access import GROUP_PREFIX, ROLES, access_for, parse_role_group_name


def check_unit(user, unit, action: str = "view"):
    """The rule of the whole portal: cannot see → 404, can see but may not act → 403."""
    access = access_for(user)
    if access.can(action, unit):
        return unit
    if access.can("view", unit) or access.can_see_name(unit):
        raise PermissionDenied("Недостаточно прав для этого действия.")
    raise Http404("Подразделение не найдено.")


def get_restricted(queryset, user, pk, action: str = "view"):
    """One object of a restricted model by the same rule: invisible → 404, visible but not allowed → 403."""
    obj = queryset.filter(pk=pk).first()
    if obj is not None:
        model_qs = queryset.model.objects
        if model_qs.restrict(user, action).filter(pk=pk).exists():
            return obj
        if action != "view" and model_qs.restrict(user, "view").filter(pk=pk).exists():
            raise PermissionDenied("Недостаточно прав для этого действия.")
    raise Http404("Не найдено.")


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from orgunits.models import OrgUnit
        from people.models import Person

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        person = Person.objects.filter(user=user).select_related("school").first()
        memberships = []
        if person:
            memberships = list(person.memberships.active().select_related("unit__kind").order_by("unit__name"))
        grants = []
        group_names = [g for g in user.groups.values_list("name", flat=True) if g.startswith(GROUP_PREFIX)]
        parsed = [
            p for p in map(parse_role_group_name, group_names) if p and p[1] in ROLES and not ROLES[p[1]].membership
        ]
        units = OrgUnit.objects.select_related("kind").in_bulk([unit_id for unit_id, _ in parsed])
        for unit_id, role in parsed:
            if unit_id in units:
                grants.append((units[unit_id], ROLES[role]))
        ctx.update(person=person, memberships=memberships, grants=grants, access=access_for(user))
        return ctx

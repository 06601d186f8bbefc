from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from orgunits.access import access_for

from . import lockouts
from .models import Unlock


class LockoutsView(LoginRequiredMixin, TemplateView):
    """Current login lockouts and unlocking: regional administrators for their people, the superuser for all."""

    template_name = "accounts/lockouts.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.access = access_for(request.user)
            if not (self.access.superuser or self.access.regions("manage")):
                raise PermissionDenied("Снимать блокировки входа могут только администраторы региона.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lockouts"] = lockouts.visible_lockouts(self.request.user, self.access)
        unlocks = Unlock.objects.select_related("by")
        if not self.access.superuser:
            unlocks = unlocks.filter(by=self.request.user)
        context["unlocks"] = unlocks[:20]
        return context

    def post(self, request, *args, **kwargs):
        kind, value = request.POST.get("kind"), request.POST.get("value", "")
        # Only a lock this user can see can be lifted: anything else, forged or already expired, is "not found".
        visible = lockouts.visible_lockouts(request.user, self.access)
        found = [lock for lock in visible if (lock.kind, lock.value) == (kind, value)]
        if not found:
            raise Http404("Такой блокировки нет: возможно, она уже истекла или снята.")
        lockouts.unlock(request.user, found[0])
        messages.success(request, f"Блокировка снята ({found[0].label} {value}): вход снова возможен.")
        return redirect("accounts:lockouts")


class ApiTokenView(LoginRequiredMixin, TemplateView):
    """«Доступ к API»: the user's own key to the read-only API (api/). Making one shows it once — only its
    hash is kept — and replaces the previous key; revoking deletes it. Only one's own key: no id in the URL."""

    template_name = "accounts/api_token.html"

    def get_context_data(self, **kwargs):
        from api.models import ApiToken

        token = ApiToken.objects.filter(user=self.request.user).first()
        return super().get_context_data(token=token, **kwargs)

    def post(self, request, *args, **kwargs):
        from api.models import ApiToken

        action = request.POST.get("action")
        if action == "create":
            _token, key = ApiToken.issue(request.user)
            response = self.render_to_response(self.get_context_data(new_key=key))
            response["Cache-Control"] = "no-store"  # the key is on this page only, never in a cache
            return response
        if action == "revoke":
            if ApiToken.objects.filter(user=request.user).delete()[0]:
                messages.success(request, "Ключ API отозван: обращения с ним больше не принимаются.")
            else:
                messages.info(request, "У вас нет ключа API — отзывать нечего.")
            return redirect("accounts:api_token")
        messages.error(request, "Неизвестное действие: выберите «Создать ключ» или «Отозвать ключ».")
        return redirect("accounts:api_token")

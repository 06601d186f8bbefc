"""Consents to the processing of personal data (152-ФЗ): recorded, shown on the card, withdrawn.

Whoever may edit the person records and withdraws a consent (others who may see the card: 403;
who may not: 404); whoever may see the card sees the list and opens the scan (logged).
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from network.forms import DateInput
from network.uploads import KeptUploadsMixin
from network.views import get_restricted
from submissions.attachments import MAX_ATTACHMENT_BYTES, display_name, size_label, validate_upload

from .models import Consent, Person, PersonalDataAccess
from .services import log_personal_data

SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
NOT_ALLOWED = "Согласия вносят те, кто ведёт данные педагога: администраторы его подразделений."


class ConsentForm(KeptUploadsMixin, forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "signed_on", "valid_until", "file"]
        widgets = {"signed_on": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["file"].help_text = f"PDF, JPEG или PNG; не больше {size_label(MAX_ATTACHMENT_BYTES)}."
        self.fields["file"].widget.attrs["accept"] = ",".join(SCAN_EXTENSIONS)

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > self.today:
            raise ValidationError("Дата подписания не может быть в будущем.")
        return signed_on

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is not None:
            validate_upload(uploaded, allowed=SCAN_EXTENSIONS, refusal="Скан согласия — только PDF, JPEG или PNG")
        return uploaded

    def clean(self):
        data = super().clean()
        if data.get("signed_on") and data.get("valid_until") and data["valid_until"] < data["signed_on"]:
            self.add_error("valid_until", "Срок действия кончается раньше даты подписания.")
        return data


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label="Дата отзыва", widget=DateInput())


def editable_person(user, pk) -> Person:
    """The person if the user may edit their data; 404 when they may not even see them, else 403."""
    from .views import get_person

    person = get_person(user, pk)
    if not Person.objects.restrict(user, "manage").filter(pk=person.pk).exists():
        raise PermissionDenied(NOT_ALLOWED)
    return person


class ConsentAddView(LoginRequiredMixin, View):
    template_name = "people/consent_form.html"

    def get(self, request, pk):
        person = editable_person(request.user, pk)
        form = ConsentForm(today=timezone.localdate())
        return render(request, self.template_name, {"person": person, "form": form})

    def post(self, request, pk):
        person = editable_person(request.user, pk)
        form = ConsentForm(request.POST, request.FILES, today=timezone.localdate(), upload_session=request.session)
        if not form.is_valid():
            return render(request, self.template_name, {"person": person, "form": form}, status=400)
        consent = form.save(commit=False)
        consent.person = person
        consent.recorded_by = request.user
        consent.file_name = display_name(form.cleaned_data["file"])
        consent.save()
        log_personal_data(request.user, person, PersonalDataAccess.Action.CHANGE, f"согласие внесено: {consent}")
        messages.success(request, "Согласие внесено.")
        return redirect(person)


class ConsentRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        consent = get_restricted(Consent.objects.all(), request.user, pk, "manage", denied=NOT_ALLOWED)
        person = editable_person(request.user, consent.person_id)
        form = RevokeForm(request.POST)
        today = timezone.localdate()
        if not form.is_valid():
            messages.error(request, "Укажите дату отзыва в формате ДД.ММ.ГГГГ.")
        elif consent.revoked_on is not None:
            messages.error(request, "Это согласие уже отозвано.")
        elif not consent.signed_on <= form.cleaned_data["revoked_on"] <= today:
            messages.error(request, "Дата отзыва — не раньше подписания и не позже сегодняшнего дня.")
        else:
            consent.revoked_on = form.cleaned_data["revoked_on"]
            consent.save(update_fields=["revoked_on"])
            log_personal_data(request.user, person, PersonalDataAccess.Action.CHANGE, f"согласие отозвано: {consent}")
            messages.success(request, "Отзыв согласия записан.")
        return redirect(person)


class ConsentFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
        from .views import get_person

        consent = get_restricted(Consent.objects.all(), request.user, pk)
        person = get_person(request.user, consent.person_id)
        log_personal_data(request.user, person, PersonalDataAccess.Action.VIEW, f"скан согласия {consent.pk}")
        return FileResponse(consent.file.open("rb"), filename=consent.file_name or "согласие")

from django import forms
from django.core.exceptions import ValidationError

from network.forms import DateInput, VersionedFormMixin
from network.uploads import KeptUploadsMixin
from submissions.attachments import MAX_ATTACHMENT_BYTES, extension_of, size_label, validate_upload

from .models import (
    Course,
    Diagnostic,
    DiagnosticResult,
    Mentoring,
    Route,
    RouteStep,
)

CERTIFICATE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


class CourseForm(KeptUploadsMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "provider", "hours", "starts_on", "ends_on", "certificate_number", "file"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"PDF, JPEG или PNG; не больше {size_label(MAX_ATTACHMENT_BYTES)}."
        self.fields["file"].widget.attrs["accept"] = ",".join(CERTIFICATE_EXTENSIONS)

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "content_type"):  # a new upload, not the stored file
            if extension_of(uploaded.name) not in CERTIFICATE_EXTENSIONS:
                raise ValidationError("Удостоверение можно прикрепить только в формате PDF, JPEG или PNG.")
            validate_upload(uploaded)
        return uploaded


class DiagnosticForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Diagnostic
        fields = ["date", "instrument"]
        widgets = {"date": DateInput()}


ResultFormSet = forms.inlineformset_factory(
    Diagnostic,
    DiagnosticResult,
    fields=["area", "percent", "is_deficit"],
    extra=3,
    can_delete=True,
)


class RouteForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Route
        fields = ["year", "unit", "goals", "diagnostic"]

    def __init__(self, *args, person, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["unit"].queryset = units
        self.fields["diagnostic"].queryset = person.diagnostics.all()


class RouteStepForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = RouteStep
        fields = ["text", "due_on", "status"]
        widgets = {"due_on": DateInput()}


class StepStatusForm(forms.ModelForm):
    class Meta:
        model = RouteStep
        fields = ["status"]


class MentoringForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Mentoring
        fields = ["mentor", "mentee", "kind", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = people
        self.fields["mentee"].queryset = people

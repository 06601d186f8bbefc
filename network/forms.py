from django import forms
from django.core.exceptions import ValidationError

from network.models import StaleVersionError


class DateInput(forms.DateInput):
    """A native date picker; the browser sends ISO dates whatever its locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionedFormMixin:
    """Carries the version an editor loaded, so a stale save becomes a clear conflict."""

    conflict_message = (
        "Пока вы редактировали, запись изменил другой пользователь. "
        "Обновите страницу, проверьте изменения и внесите свои ещё раз."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new record has no earlier version to conflict with: only an edit must carry one.
        self.fields["expected_version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=self.instance.version if self.instance.pk else 1,
            required=bool(self.instance.pk),
        )

    def save_versioned(self, instance=None) -> bool:
        """Save the edit if nobody saved since it was loaded; else put the conflict on the form."""
        instance = instance if instance is not None else self.instance
        try:
            instance.save_versioned(self.cleaned_data["expected_version"])
        except StaleVersionError:
            self.add_error(None, self.conflict_message)
            return False
        return True


def attach_errors(form, exc: ValidationError, default_field=None) -> None:
    """Show a service's ValidationError on the form: per field where it can, else above it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else default_field
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(default_field, error)

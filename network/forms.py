from django import forms


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
        self.fields["expected_version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=self.instance.version if self.instance.pk else 1
        )

from django import forms

from network.forms import DateInput
from people.models import Person

from .models import AgendaItem, Meeting
from .services import MISSING_VERSION_MESSAGE


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def expected_version_field(initial=None):
    return forms.IntegerField(
        widget=forms.HiddenInput,
        initial=initial,
        error_messages={"required": MISSING_VERSION_MESSAGE, "invalid": MISSING_VERSION_MESSAGE},
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class MeetingForm(forms.ModelForm):
    """The meeting's details; the rules (members on the date, place or link) are checked by the service."""

    chair = PersonChoiceField(Person.objects.none(), required=False, label="Председатель заседания")
    secretary = PersonChoiceField(Person.objects.none(), required=False, label="Секретарь заседания")
    online_link = forms.URLField(label="Ссылка на подключение", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["date", "time", "kind", "place", "online_link", "title", "chair", "secretary", "guests"]
        widgets = {
            "date": DateInput(),
            "time": TimeInput(),
            "guests": forms.Textarea(attrs={"rows": 3, "placeholder": "Иванова Мария Петровна, директор СОШ № 2"}),
        }
        help_texts = {"chair": "", "secretary": ""}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone who has sat in the unit; whether they are a member on the date is the service's check.
        people = Person.objects.filter(memberships__unit=unit).distinct().order_by("last_name", "first_name", "pk")
        self.fields["chair"].queryset = people
        self.fields["secretary"].queryset = people
        self.fields["chair"].help_text = "По умолчанию — председатель подразделения."
        self.fields["secretary"].help_text = "По умолчанию — ответственный секретарь подразделения."
        self.fields["date"].widget = DateInput()
        if self.instance.pk:
            self.fields["expected_version"] = expected_version_field(self.instance.version)


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "title",
            "speaker",
            "heard",
            "discussion",
            "decision",
            "votes_for",
            "votes_against",
            "votes_abstained",
        ]
        widgets = {
            "heard": forms.Textarea(attrs={"rows": 3}),
            "discussion": forms.Textarea(attrs={"rows": 3}),
            "decision": forms.Textarea(attrs={"rows": 3}),
            "votes_for": forms.NumberInput(attrs={"min": 0}),
            "votes_against": forms.NumberInput(attrs={"min": 0}),
            "votes_abstained": forms.NumberInput(attrs={"min": 0}),
        }
        labels = {
            "heard": "СЛУШАЛИ",
            "discussion": "ВЫСТУПИЛИ",
            "decision": "ПОСТАНОВИЛИ (РЕШИЛИ)",
            "votes_for": "Голосовали «за»",
            "votes_against": "«против»",
            "votes_abstained": "«воздержались»",
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"] = expected_version_field(meeting.version)


class VersionForm(forms.Form):
    """A button that changes the protocol (attendance, delete, confirm): carries the version it was shown at."""

    expected_version = expected_version_field()


def posted_version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["expected_version"] if form.is_valid() else None

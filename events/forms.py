from django import forms

from network.forms import DateInput
from plans.models import PlanItem

from .models import COMPETITION_SUGGESTIONS, Event, Participation

PEOPLE_CHOICES_LIMIT = 500


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "competition",
            "level",
            "format",
            "starts_on",
            "ends_on",
            "place",
            "plan_item",
            "description",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "competition": forms.TextInput(attrs={"list": "competition-suggestions"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        self.competition_suggestions = COMPETITION_SUGGESTIONS
        self.fields["plan_item"].queryset = (
            PlanItem.objects.filter(submission__unit=unit)
            .select_related("submission__campaign")
            .order_by("-submission__campaign__year", "direction", "position", "pk")
        )
        self.fields["plan_item"].label_from_instance = lambda item: f"{item.submission.campaign}: {item}"

    def clean(self):
        data = super().clean()
        if data.get("kind") == Event.Kind.CONTEST and not data.get("competition"):
            self.add_error("competition", "Укажите название конкурса.")
        return data


class ParticipationForm(forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["person", "role", "result"]

    def __init__(self, *args, event, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.instance.event = event
        field = self.fields["person"]
        field.queryset = people
        field.choices = [("", "— выберите педагога —")] + [
            (p.pk, p.full_name) for p in people.order_by("last_name", "first_name", "pk")[:PEOPLE_CHOICES_LIMIT]
        ]

    def clean(self):
        data = super().clean()
        person, role = data.get("person"), data.get("role")
        if person and role and self.event.participations.filter(person=person, role=role).exists():
            self.add_error("person", "Этот педагог уже записан на мероприятие в этой роли.")
        return data

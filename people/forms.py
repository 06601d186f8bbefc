import datetime

from django import forms

from network.forms import DateInput, VersionedFormMixin

from .models import Membership, MembershipRole, Person

NOT_DUPLICATE = "not_duplicate"


class PersonForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "position",
            "school",
            "subjects",
            "qualification_category",
            "teaching_since",
            "email",
            "phone",
        ]
        widgets = {"subjects": forms.CheckboxSelectMultiple}

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.fields["school"].queryset = schools
        self.fields["email"].error_messages["unique"] = "Педагог с таким e-mail уже есть."
        if self.data.get(NOT_DUPLICATE):
            self.ask_not_duplicate()

    def ask_not_duplicate(self):
        """The checkbox of the «Похожие карточки» warning: saving anyway is a deliberate choice."""
        self.fields[NOT_DUPLICATE] = forms.BooleanField(label="Это другой человек, сохранить", required=False)

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and Person.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Педагог с таким e-mail уже есть в реестре.")
        return email


class AddMemberForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Выберите педагога в поиске выше.",
            "invalid_choice": "Этот педагог недоступен: выберите его в поиске выше.",
        },
    )
    role = forms.ChoiceField(label="Роль", choices=MembershipRole.choices, initial=MembershipRole.MEMBER)
    starts_on = forms.DateField(label="Срок с", widget=DateInput)
    ends_on = forms.DateField(
        label="Срок по", widget=DateInput, required=False, help_text="Пусто — один год (001 §2.7)."
    )

    def __init__(self, *args, people=None, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        if people is not None:
            self.fields["person"].queryset = people
        if unit is not None:
            from .terms import term_help_text

            # 001 §2.7: the field says the limit, and that a longer one is the region's setting.
            self.fields["ends_on"].help_text = term_help_text(unit.region)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "Окончание срока раньше его начала.")
        elif starts and ends and self.unit is not None:
            from .terms import term_error

            error = term_error(self.unit, starts, ends)
            if error:
                self.add_error("ends_on", error)
        return cleaned


class EndMembershipForm(forms.Form):
    left_on = forms.DateField(label="Дата выбытия", widget=DateInput, initial=datetime.date.today)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Новая роль",
        choices=MembershipRole.choices,
        error_messages={"invalid_choice": "Выберите новую роль: она должна отличаться от текущей."},
    )
    on = forms.DateField(label="С даты", widget=DateInput, initial=datetime.date.today)

    def __init__(self, *args, membership: Membership | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if membership is not None:
            self.fields["role"].choices = [c for c in MembershipRole.choices if c[0] != membership.role]


class PersonLoginForm(forms.Form):
    username = forms.CharField(
        label="Логин",
        max_length=150,
        help_text="Существующая учётная запись без карточки будет привязана; новая — создана, "
        "а на e-mail педагога уйдёт ссылка для установки пароля.",
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_username(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        user = get_user_model().objects.filter(username=username).first()
        if user is not None:
            linked = Person.objects.filter(user=user).exclude(pk=self.person.pk).first()
            if linked is not None:
                raise forms.ValidationError(
                    "Логин «%(name)s» уже принадлежит другому педагогу.", params={"name": username}
                )
        elif not self.person.email:
            raise forms.ValidationError("Чтобы создать учётную запись, укажите в карточке e-mail педагога.")
        self.existing_user = user
        return username


class CandidacyForm(forms.Form):
    """The proposed chair (or deputy, or delegate to the РУМО) and why; `people` limits whom one may
    pick, `unit` the roles it may propose (a delegate only from a municipality, 000 а)."""

    person = forms.ModelChoiceField(
        label="Кандидат",
        queryset=Person.objects.none(),
        error_messages={"required": "Выберите кандидата.", "invalid_choice": "Этого педагога выбрать нельзя."},
    )
    role = forms.ChoiceField(label="Роль", choices=[], initial="chair")
    justification = forms.CharField(
        label="Обоснование",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Обоснуйте кандидатуру."},
    )
    proposed_from = forms.DateField(label="С какой даты", widget=DateInput, required=False)

    def __init__(self, *args, people=None, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .candidates import roles_for

        self.fields["role"].choices = roles_for(unit)
        if people is not None:
            self.fields["person"].queryset = people


class CandidacyEditForm(CandidacyForm):
    """The same fields with the version of the document the form was rendered from."""

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Форма устарела: обновите страницу и повторите действие.",
            "invalid": "Форма устарела: обновите страницу и повторите действие.",
        },
    )

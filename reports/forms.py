from django import forms

from submissions.editing import ExpectedVersionMixin

from .models import GUIDANCE


class ReportForm(ExpectedVersionMixin, forms.Form):
    """Every section of the report (text) and every figure (a number; empty = the portal's own)."""

    def __init__(self, *args, sections=(), figures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sections, self.figures = list(sections), list(figures)
        for section in self.sections:
            self.fields[self.section_field(section)] = forms.CharField(
                label=section.title,
                required=False,
                initial=section.text,
                help_text=GUIDANCE.get(section.key, ""),
                strip=True,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        for figure in self.figures:
            computed = "—" if figure.computed is None else figure.computed
            self.fields[self.figure_field(figure)] = forms.IntegerField(
                label=figure.label,
                required=False,
                min_value=0,
                initial=figure.value,
                help_text=f"по данным портала: {computed}. Пусто — взять это значение.",
                widget=forms.NumberInput(attrs={"placeholder": "" if figure.computed is None else figure.computed}),
                error_messages={"invalid": "Введите целое число.", "min_value": "Число не может быть отрицательным."},
            )

    @staticmethod
    def section_field(section) -> str:
        return f"section_{section.key}"

    @staticmethod
    def figure_field(figure) -> str:
        return f"figure_{figure.key}"

    def section_fields(self):
        return [self[self.section_field(s)] for s in self.sections]

    def figure_rows(self):
        return [(figure, self[self.figure_field(figure)]) for figure in self.figures]

    def error_links(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) of every field with an error, in the order of the form:
        the summary at the top of the editor links to each."""
        links = []
        for name, field in self.fields.items():
            if name in self.errors and not field.widget.is_hidden:
                bound = self[name]
                links += [(bound.auto_id, str(field.label), message) for message in self.errors[name]]
        return links

    def save(self, submission) -> int:
        """Write what changed (call inside `editing.edit`); returns how many fields changed."""
        changed = 0
        for section in submission.report_sections.all():
            text = self.cleaned_data.get(self.section_field(section), section.text)
            if text != section.text:
                section.text = text
                section.save(update_fields=["text"])
                changed += 1
        for figure in submission.report_figures.all():
            name = self.figure_field(figure)
            if name in self.cleaned_data and self.cleaned_data[name] != figure.value:
                figure.value = self.cleaned_data[name]
                figure.save(update_fields=["value"])
                changed += 1
        return changed

import django_tables2 as tables

from .models import Person


class PersonTable(tables.Table):
    full_name = tables.Column(
        verbose_name="ФИО", linkify=True, order_by=("last_name", "first_name", "middle_name"), accessor="full_name"
    )
    position = tables.Column(verbose_name="Должность")
    school = tables.Column(verbose_name="Школа", accessor="school__short_name", order_by="school__short_name")
    qualification_category = tables.Column(verbose_name="Категория")
    teaching_since = tables.Column(verbose_name="Стаж с")

    class Meta:
        model = Person
        fields = ["full_name", "position", "school", "qualification_category", "teaching_since"]
        empty_text = "Никого не найдено."
        attrs = {"class": "table"}

"""A register: a list an administrator keeps in Excel (units, schools, people, orders…).

One declaration says which model and django-import-export resource it is, which rows a user may
see (the same `restrict` as the register's page) and whether its rows are personal data (152-ФЗ:
an export is then written to the personal-data access log, one entry per person in the file, found
through `person_field`). Apps declare theirs in
<app>/registers.py with @register.
"""

from __future__ import annotations

from django.http import Http404

REGISTRY: dict[str, Register] = {}


class Register:
    code: str = ""
    title: str = ""
    resource_class = None
    personal_data = False
    # For a register of personal data: the attribute of a row that is the person's id ("pk" for the
    # people register, "person_id" for rows about a person). The writer logs one 152-ФЗ entry per
    # person in the file through it, the same way for every register.
    person_field = ""
    # Column widths in characters by header; the rest get DEFAULT_WIDTH.
    widths: dict[str, int] = {}
    # A resource with the import columns (natural keys, per-row rights); None: export only.
    import_resource_class = None
    # The page the register is kept on (a URL name), for the «back» link of the export pages.
    page_url_name = ""

    def queryset(self, user):
        """The rows `user` may see, ordered, with what the resource reads joined in."""
        raise NotImplementedError

    def filter(self, queryset, params, user):
        """Narrow by the register page's filters (GET parameters); unknown ones are ignored."""
        return queryset

    def resource(self):
        return self.resource_class()

    @property
    def importable(self) -> bool:
        return self.import_resource_class is not None

    def import_resource(self, user):
        return self.import_resource_class(user=user)

    def import_headers(self) -> list[str]:
        return [f.column_name for f in self.import_resource_class().get_import_fields()]

    def __str__(self):
        return self.title


def register(cls):
    instance = cls()
    if instance.code in REGISTRY:
        raise ValueError(f"Реестр {instance.code} объявлен дважды")
    if instance.personal_data and not instance.person_field:
        # Fail at start-up, not in the middle of an export: whose data a row is must be known.
        raise ValueError(f"Реестр {instance.code} содержит персональные данные: укажите person_field")
    REGISTRY[instance.code] = instance
    return cls


def get_register(code: str) -> Register:
    try:
        return REGISTRY[code]
    except KeyError:
        raise Http404("Такого реестра нет.") from None

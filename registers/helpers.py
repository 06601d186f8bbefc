"""Small pieces the registers of several apps share."""

from import_export import fields, widgets

from network.views import parse_int
from orgunits.access import access_for


def visible_to(model, user, action="view", prefix="unit__"):
    """Rows of `model` whose unit the user may see (for models without a restrict manager)."""
    q = access_for(user).q_for_units(action, prefix=prefix)
    return model.objects.filter(q) if q is not None else model.objects.none()


def int_param(params, name):
    return parse_int(params.get(name))


def date_field(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, widget=widgets.DateWidget("%d.%m.%Y"))


def datetime_field(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, widget=widgets.DateTimeWidget("%d.%m.%Y %H:%M"))


def label_field(attribute, column_name):
    """A choice shown as its Russian label (get_FOO_display)."""
    return fields.Field(attribute=f"get_{attribute}_display", column_name=column_name)

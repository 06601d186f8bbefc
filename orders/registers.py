"""The register of orders."""

from import_export import fields, resources

from registers.base import Register, register
from registers.helpers import date_field, datetime_field, label_field

from .forms import RegisterFilterForm
from .models import Order


class OrderResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="№")
    date = date_field("date", "Дата")
    unit = fields.Field(attribute="unit__name", column_name="Подразделение")
    heading = fields.Field(attribute="heading", column_name="Заголовок")
    template = label_field("template", "Вид")
    status = label_field("status", "Статус")
    signatory = fields.Field(attribute="signatory", column_name="Подписывает")
    signed_at = datetime_field("signed_at", "Подписан")

    class Meta:
        model = Order
        fields = ["number", "date", "unit", "heading", "template", "status", "signatory", "signed_at"]

    def dehydrate_signatory(self, order):
        return order.signatory.short_name if order.signatory else ""


@register
class OrdersRegister(Register):
    code = "orders"
    title = "Приказы"
    resource_class = OrderResource
    widths = {"Подразделение": 50, "Заголовок": 70, "Подписывает": 22}
    page_url_name = "orders:register"

    def queryset(self, user):
        return (
            Order.objects.restrict(user, "view").select_related("unit", "signatory").order_by("-date", "-number", "-pk")
        )

    def filter(self, queryset, params, user):
        from .views import filtered

        # The register page's own filters; a bad value is ignored there and here alike.
        form = RegisterFilterForm(params or None, unit_search=True, years=[])  # both the unit and words of its name
        return filtered(queryset, form)

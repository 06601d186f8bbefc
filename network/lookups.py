"""`field__any_of=<array expression>` → `field = ANY(array)` (PostgreSQL)."""

from django.db.models import AutoField, BigAutoField, IntegerField, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


for field in (AutoField, BigAutoField, IntegerField):
    field.register_lookup(AnyOf)

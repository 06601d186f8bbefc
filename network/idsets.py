"""A set of ids read once and handed back to PostgreSQL as one array: `field__any_of=id_array(…)`.

The set travels as one text value both ways: the server joins it (string_agg) and splits it again
(string_to_array). Thirty thousand ids as rows would cost more in Python than the query they narrow,
and a Python list would be rendered into the statement element by element.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, IntegerField, TextField, Value
from django.db.models.functions import Cast

from network.lookups import AnyOf  # noqa: F401 - registers the any_of lookup


def id_array(ids):
    """An integer[] expression of `ids`: an iterable of ints, or their text from `read_ids` (PostgreSQL)."""
    text = ids if isinstance(ids, str) else ",".join(str(int(pk)) for pk in ids)
    split = Func(
        Value(text, output_field=TextField()),
        Value(","),
        function="string_to_array",
        output_field=ArrayField(TextField()),
    )
    return Cast(split, ArrayField(IntegerField()))


def read_ids(queryset, limit: int) -> str | None:
    """The ids `queryset` (one column of ids, a UNION is fine) selects, as one comma-separated text read in
    one row; None when there are more than `limit` (the caller keeps its subquery then)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), string_agg(pk::text, ',') FROM (SELECT * FROM ({sql}) AS ids(pk) LIMIT %s) AS kept",
            (*params, limit + 1),
        )
        count, text = cursor.fetchone()
    if count > limit:
        return None
    return text or ""

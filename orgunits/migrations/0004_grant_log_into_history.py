"""Grants and revocations move from orgunits.GrantLog into the one history (history.LogEntry).

Each GrantLog row becomes one LogEntry about the unit, in the shape orgunits.grant_log writes
(kind «grant», the readable change in `changes`, the facts in `snapshot["grant"]`). Reversible:
going back rebuilds the GrantLog rows from those entries and removes them from the history.
"""

from django.db import migrations

GRANT_KIND = "grant"
CHANGE_LABELS = {"granted": "назначена", "revoked": "отозвана"}
PATH_LABELS = {
    "access_page": "страница «Доступ»",
    "membership": "изменение состава",
    "import": "загрузка реестра",
    "system": "система (команда, демонстрационные данные)",
}


def _role_label(code):
    try:
        from orgunits.access import ROLES

        return ROLES[code].label
    except Exception:  # noqa: BLE001 - a role (or the module) gone in a later release: show the code
        return code


def _name(user):
    return f"{user.first_name} {user.last_name}".strip() or user.username


def forward(apps, schema_editor):
    GrantLog = apps.get_model("orgunits", "GrantLog")
    LogEntry = apps.get_model("history", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not GrantLog.objects.exists():
        return
    ct, _ = ContentType.objects.get_or_create(app_label="orgunits", model="orgunit")
    batch = []
    for row in GrantLog.objects.select_related("user", "unit").order_by("at", "pk").iterator(chunk_size=500):
        granted = row.change == "granted"
        old, new = ("—", CHANGE_LABELS["granted"]) if granted else (CHANGE_LABELS["granted"], CHANGE_LABELS["revoked"])
        if row.via == "import":
            via = "import"
        elif row.by_id is None:
            via = "system"
        else:
            via = "page"
        batch.append(
            LogEntry(
                content_type=ct,
                object_id=row.unit_id,
                object_repr=row.unit.name[:300],
                action="change",
                at=row.at,
                actor_id=row.by_id,
                via=via,
                detail=PATH_LABELS.get(row.via, row.via),
                changes={f"роль «{_role_label(row.role)}»: {_name(row.user)}": [old, new]},
                kind=GRANT_KIND,
                snapshot={"grant": {"user": row.user_id, "role": row.role, "change": row.change, "path": row.via}},
            )
        )
        if len(batch) >= 500:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


def backward(apps, schema_editor):
    GrantLog = apps.get_model("orgunits", "GrantLog")
    LogEntry = apps.get_model("history", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="orgunits", model="orgunit").first()
    if ct is None:
        return
    entries = LogEntry.objects.filter(content_type=ct, kind=GRANT_KIND)
    for e in entries.order_by("at", "pk").iterator(chunk_size=500):
        grant = (e.snapshot or {}).get("grant") or {}
        if not grant.get("user"):
            continue
        row = GrantLog.objects.create(
            by_id=e.actor_id,
            user_id=grant["user"],
            unit_id=e.object_id,
            role=grant.get("role", ""),
            change=grant.get("change", "granted"),
            via=grant.get("path", "system"),
        )
        GrantLog.objects.filter(pk=row.pk).update(at=e.at)  # `at` is auto_now_add: restore the real time
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("history", "0002_owner_and_personal_of"),
        ("orgunits", "0003_grant_log"),
    ]

    operations = [migrations.RunPython(forward, backward)]

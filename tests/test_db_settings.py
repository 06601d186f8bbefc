"""Database settings read from the environment (docs/postgresql.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_settings(**env) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "d = settings.DATABASES['default'];"
        "print(json.dumps({'engine': d['ENGINE'], 'cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False)}))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB_POOLER")}
    environment |= {"DJANGO_SETTINGS_MODULE": "network.settings", **env}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_behind_pgbouncer_server_side_cursors_are_off():
    found = database_settings(DATABASE_URL="postgres://metodset@db.example:6432/metodset", DB_POOLER="pgbouncer")
    assert found == {"engine": "django.db.backends.postgresql", "cursors": True}


def test_without_a_pooler_streamed_reads_keep_server_side_cursors():
    found = database_settings(DATABASE_URL="postgres://metodset@db.example:5432/metodset")
    assert found["cursors"] is False

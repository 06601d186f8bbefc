"""Settings of the HTTP load run (scripts/bench_http.py): production's own (PRODUCTION=1 in the
environment: DEBUG off, manifest static files, every security header), with one difference.

The load talks plain HTTP to gunicorn on loopback, and a client does not send a cookie marked Secure
back over plain HTTP, so the session and CSRF cookies are left unmarked here. In production TLS ends
at the proxy in front of gunicorn and the cookies stay Secure (network/settings.py).
"""

from network.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

"""Password hashing: Argon2id with parameters measured on the portal's own 2-core server.

PBKDF2 at Django's default cost (1,000,000 iterations) spent 0.35–0.45 s of CPU per login, so on
deadline day 200 methodists logging in at once queued for 33–41 s. Argon2id is memory-hard: an attacker's
GPU pays for memory per guess, so the same protection costs the server far less CPU.

Measured on the 2-core server (argon2-cffi, CPU time per verification; `make bench` repeats the first three):
    PBKDF2-SHA256, 1,000,000 iterations      ≈ 230 ms here (0.35–0.45 s on the production machine)
    Argon2id t=2, m=19 MiB, p=1 (OWASP min)  ≈ 20–24 ms
    Argon2id t=3, m=24 MiB, p=1 (chosen)     ≈ 40 ms
    Argon2id t=2, m=32 MiB, p=1              ≈ 55 ms (past 24 MiB the blocks fall out of the CPU cache)
    Argon2id t=2, m=64 MiB, p=1              ≈ 110 ms
The chosen setting is above OWASP's minimum in both memory and passes and stays inside the 30–60 ms budget:
200 simultaneous logins cost ~8 s of CPU, ~4 s of queueing at p95 on two cores instead of 33–41 s.
parallelism=1: lanes only spread one login over several cores; on two cores shared by many logins
that buys no throughput and lets a burst of logins starve the rest of the portal.
Memory per login in flight: 24 MiB, i.e. 72 MiB for three gunicorn workers.

Changing these numbers is safe: Django re-hashes a password with the new parameters at the next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's: hashes stay "argon2$argon2id$…" and verify with either class.
    time_cost = 3
    memory_cost = 24 * 1024  # KiB
    parallelism = 1

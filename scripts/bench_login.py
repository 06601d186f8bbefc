"""What one login costs: the password check with the portal's Argon2id against Django's default PBKDF2.

    .venv/bin/python scripts/bench_login.py [--runs 20] [--logins 200] [--workers 2]   (part of `make bench`)

1. CPU time of one verification (median of R runs) for each hasher: the configured Argon2id
   (accounts/hashers.py), OWASP's minimum Argon2id for reference, and PBKDF2 as Django ships it.
2. A login rush: N verifications submitted at once to a pool of W processes (the 2 cores of the server,
   as gunicorn's workers would use them), and how long each login waited until its check was done
   (p50, p95, max): "200 methodists log in at once on deadline day".

Only the hashers run: no database, no web server, nothing of the developer's is touched. Prints a table
and writes it into docs/benchmarks.md between <!-- login --> and <!-- /login --> (appended if absent).
"""

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- login -->", "<!-- /login -->"
PASSWORD = "Metodset-bench-2026"


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "network.settings"
    os.environ.setdefault("METODSET_VAR_DIR", tempfile.mkdtemp(prefix="bench-login-"))
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def hashers():
    """(label, hasher) pairs: the portal's, OWASP's minimum and Django's default PBKDF2."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, get_hasher

    class OwaspMinimum(Argon2PasswordHasher):
        time_cost, memory_cost, parallelism = 2, 19 * 1024, 1

    portal = get_hasher("default")
    label = f"Argon2id t={portal.time_cost}, m={portal.memory_cost // 1024} MiB, p={portal.parallelism} (портал)"
    return [
        (label, portal),
        ("Argon2id t=2, m=19 MiB, p=1 (минимум OWASP)", OwaspMinimum()),
        (f"PBKDF2-SHA256, {PBKDF2PasswordHasher.iterations:,} итераций (Django по умолчанию)", PBKDF2PasswordHasher()),
    ]


def cpu_per_check(hasher, encoded: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.process_time()
        assert hasher.verify(PASSWORD, encoded)
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def _pool_init() -> None:
    setup_django()


def _check(args) -> float:
    """One login in the rush: verify, and return when (on the shared clock) it was done."""
    hasher_name, encoded = args
    from django.contrib.auth.hashers import identify_hasher

    hasher = identify_hasher(encoded)
    assert hasher.algorithm == hasher_name and hasher.verify(PASSWORD, encoded)
    return time.time()


def rush(hasher, encoded: str, logins: int, workers: int) -> tuple[float, float, float]:
    """p50, p95 and max of how long each of `logins` simultaneous logins waited for its check."""
    # multiprocessing.Pool starts (and sets up) every process before the clock starts.
    with Pool(processes=workers, initializer=_pool_init) as pool:
        pool.map(_check, [(hasher.algorithm, encoded)] * workers, chunksize=1)
        started = time.time()
        waits = sorted(done - started for done in pool.map(_check, [(hasher.algorithm, encoded)] * logins, chunksize=1))
    p95 = waits[min(len(waits) - 1, int(round(0.95 * len(waits))) - 1)]
    return statistics.median(waits), p95, waits[-1]


def ideal_p95(cpu: float, logins: int, workers: int) -> float:
    """The p95 wait on an otherwise idle machine: the 95th percentile login finishes in round ⌈0.95·N/W⌉."""
    return math.ceil(0.95 * logins / workers) * cpu


def write_doc(table: str) -> None:
    block = f"{START}\n{table}\n{END}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="verifications per hasher for the CPU median")
    parser.add_argument("--logins", type=int, default=200, help="simultaneous logins in the rush")
    parser.add_argument("--workers", type=int, default=2, help="processes checking passwords (cores)")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    setup_django()

    rows = []
    for label, hasher in hashers():
        encoded = hasher.encode(PASSWORD, hasher.salt())
        cpu = cpu_per_check(hasher, encoded, args.runs)
        p50, p95, worst = rush(hasher, encoded, args.logins, args.workers)
        ideal = ideal_p95(cpu, args.logins, args.workers)
        rows.append((label, cpu, ideal, p50, p95, worst))
        print(f"{label}: {cpu * 1000:.0f} мс CPU; расчётный p95 {ideal:.1f} с; {args.logins} входов: ", end="")
        print(f"p50 {p50:.1f} с, p95 {p95:.1f} с, max {worst:.1f} с")

    table = "\n".join(
        [
            "## Стоимость входа (scripts/bench_login.py)",
            "",
            f"Проверка пароля при входе: CPU на одну проверку (медиана {args.runs} замеров) и {args.logins} "
            f"одновременных входов на пуле из {args.workers} процессов — сколько ждал каждый вход. "
            f"Машина: {platform.machine()}, {os.cpu_count()} ядра, Python {platform.python_version()}, "
            f"средняя загрузка во время замера {os.getloadavg()[0]:.1f}. «Расчётный p95» — ожидание на свободной "
            f"машине (⌈0,95·N/W⌉ проверок подряд); измеренные ожидания растут, если ядра заняты чем-то ещё.",
            "",
            "| хешер | CPU на вход, мс | расчётный p95, с | ожидание p50, с | p95, с | max, с |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *[
                f"| {label} | {cpu * 1000:.0f} | {ideal:.1f} | {p50:.1f} | {p95:.1f} | {worst:.1f} |"
                for label, cpu, ideal, p50, p95, worst in rows
            ],
        ]
    )
    if not args.no_doc:
        write_doc(table)
        print(f"записано в {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

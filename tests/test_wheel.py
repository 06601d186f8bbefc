"""The package installs: the wheel carries every app with its migrations, templates, static files and fixtures,
declares every library the code imports, and — installed into a clean virtualenv, away from the source
tree — passes `check`, migrates, installs the unit kinds and collects its static files (issue 11).

Building the wheel takes seconds and always runs. Installing it takes about a minute (the dependencies come
from pip's cache), so that test runs when RUN_WHEEL_TEST=1: CI sets it in its PostgreSQL step.
"""

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.wheel

ROOT = Path(settings.BASE_DIR)
# What is not part of the project's source: the local environment, build output, caches.
NOT_SOURCE = {".git", ".venv", "var", "build", "dist", "test-artifacts", "control", ".ruff_cache", ".pytest_cache"}


def ignore(directory, names):
    top = Path(directory) == ROOT
    return {
        name
        for name in names
        if name == "__pycache__"
        or name.endswith((".pyc", ".egg-info"))
        or (top and (name in NOT_SOURCE or name.startswith(".venv")))
    }


def run(args, *, cwd, env=None, timeout=600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def app_packages(source: Path) -> list[str]:
    return sorted(p.parent.name for p in source.glob("*/__init__.py") if p.parent.name != "tests")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the source tree (pip builds in place) and the wheel built from it."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=ignore)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(source)], cwd=tmp)
    (wheel,) = (tmp / "dist").glob("metodset-*.whl")
    return source, wheel


def test_the_wheel_carries_every_app_with_its_migrations_templates_static_files_and_fixtures(built):
    source, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = app_packages(source)
    # Every app Django runs from this tree, practices and registers included (they used to be left out).
    local_apps = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert local_apps <= set(packages)
    assert {p.parent.name for p in source.glob("*/apps.py")} <= set(packages)
    missing = [
        str(path.relative_to(source))
        for package in packages
        for path in sorted((source / package).rglob("*"))
        if path.is_file() and str(path.relative_to(source)) not in names
    ]
    assert missing == []
    # Spot checks of each kind of file, so the test says what it means even if the tree changes.
    for name in [
        "practices/apps.py",
        "registers/migrations/0001_initial.py",
        "network/templates/base.html",
        "network/static/css/metodset.css",
        "network/static/fonts/LiberationSerif-Regular.ttf",
        "demo/fixtures/demo_network.json",
        "orgunits/management/commands/install_unit_kinds.py",
        "network/manage.py",
    ]:
        assert name in names, name
    assert not any(name.startswith("tests/") for name in names)
    entry_points = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-py3')[0]}.dist-info/entry_points.txt")
    assert "metodset = network.manage:main" in entry_points.decode()


def declared(extra=None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {canonicalize_name(Requirement(spec).name) for spec in specs}


def test_every_library_the_portal_imports_is_declared():
    """A library that only arrives as another one's dependency can vanish with that one's next release."""
    distributions = importlib.metadata.packages_distributions()
    local = set(app_packages(ROOT))
    wanted = declared()
    undeclared = set()
    for package in local:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for top in {module.split(".")[0] for module in modules} - local - set(sys.stdlib_module_names):
                    owners = {canonicalize_name(d) for d in distributions.get(top, [top])}
                    if not owners & wanted:
                        undeclared.add(f"{top} ({path.relative_to(ROOT)})")
    assert sorted(undeclared) == []


def pins() -> dict[str, str]:
    text = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    return {canonicalize_name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def test_constraints_pin_every_production_dependency_and_make_and_docker_install_with_them():
    pinned = pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not pinned in constraints.txt: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), f"{name}=={pinned[name]} vs {spec}"
    # Production only: no test or lint tool is pinned for the servers.
    assert not pinned.keys() & (declared("dev") - declared())
    assert re.search(r"pip install .*-c constraints\.txt", (ROOT / "Makefile").read_text(encoding="utf-8"))
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "constraints.txt" in dockerfile and re.search(r"pip install .*-c constraints\.txt", dockerfile)


def clean_env(**extra) -> dict[str, str]:
    """The environment without anything that points back at the source tree or at the test's database."""
    drop = ("DJANGO_", "DATABASE_URL", "CELERY_", "METODSET_", "PYTHON", "VIRTUAL_ENV", "REQUIRE_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    for key in ("PRODUCTION", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT", "MEDIA_ROOT"):
        env.pop(key, None)
    return {**env, **extra}


@pytest.mark.skipif(os.environ.get("RUN_WHEEL_TEST") != "1", reason="installs the wheel: RUN_WHEEL_TEST=1 (CI)")
def test_the_installed_wheel_checks_migrates_and_serves_its_own_static_files(built, tmp_path):
    _, wheel = built
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel],
        cwd=tmp_path,
        env=clean_env(),
        timeout=900,
    )
    work = tmp_path / "elsewhere"  # not the source tree: everything must come from the installed package
    work.mkdir()
    env = clean_env(
        METODSET_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'wheel.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    metodset = str(venv / "bin" / "metodset")
    python = str(venv / "bin" / "python")

    located = run([python, "-c", "import demo, network; print(network.__file__, demo.__file__)"], cwd=work, env=env)
    assert str(ROOT) not in located and str(venv) in located

    assert "System check identified no issues (0 silenced)." in run([metodset, "check"], cwd=work, env=env)
    production = {
        **env,
        "PRODUCTION": "1",
        "SECRET_KEY": "wheel-test-" + "a-long-enough-random-secret-key-value-" * 2,
        "ALLOWED_HOSTS": "metodset.example.ru",
    }
    run([metodset, "check", "--deploy", "--fail-level", "WARNING"], cwd=work, env=production)

    # Every migration is in the package: a fresh database migrates and takes the standard unit kinds.
    run([metodset, "migrate", "--noinput", "-v", "0"], cwd=work, env=env)
    assert "РУМО" in run([metodset, "install_unit_kinds"], cwd=work, env=env)
    assert "изменений нет" in run([metodset, "install_unit_kinds"], cwd=work, env=env)

    run([metodset, "collectstatic", "--noinput", "-v", "0"], cwd=work, env=env)
    static = tmp_path / "static"
    for name in ["css/metodset.css", "js/metodset.js", "fonts/LiberationSerif-Regular.ttf"]:
        assert (static / name).read_bytes() == (ROOT / "network" / "static" / name).read_bytes(), name
    assert (static / "admin" / "css" / "base.css").exists()

    # The templates come from the package too: the login page renders.
    page = run(
        [
            metodset,
            "shell",
            "-c",
            "from django.test import Client; r = Client().get('/accounts/login/'); "
            "print(r.status_code, 'name=\"password\"' in r.content.decode())",
        ],
        cwd=work,
        env=env,
    )
    assert page.strip().splitlines()[-1].split() == ["200", "True"]

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango; the fonts with Cyrillic ship inside the project.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The pinned production dependencies first (constraints.txt, written by `make lock`): this layer is rebuilt
# only when the pins change, not on every change of the code.
COPY constraints.txt ./
RUN pip install --no-cache-dir -r constraints.txt
# Then the portal as the package a wheel installs: every app with its migrations, templates and static files
# (pyproject.toml), the `metodset` command; the versions stay the pinned ones.
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . && pip check
RUN PRODUCTION=1 SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "network.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango; the fonts with Cyrillic ship inside the project.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY network network
COPY orgunits orgunits
COPY people people
COPY plans plans
COPY reports reports
COPY monitoring monitoring
COPY submissions submissions
COPY meetings meetings
COPY orders orders
COPY growth growth
COPY events events
RUN pip install --no-cache-dir .
COPY . .
RUN PRODUCTION=1 SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "network.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

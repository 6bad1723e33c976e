# One image for web, worker and beat (docker-compose.yml runs it three ways).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    QMS_DATA_DIR=/app/var

# procps gives beat's health check pgrep.
RUN apt-get update && apt-get install -y --no-install-recommends procps && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY qms ./qms
COPY objectives ./objectives
COPY leadership ./leadership
COPY reviews ./reviews
RUN pip install .
COPY . .

# Static files are collected at build time and served by whitenoise from gunicorn.
RUN DEBUG=False SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && useradd --system --create-home --home-dir /home/qms qms \
    && mkdir -p /app/var && chown -R qms:qms /app/var

USER qms
EXPOSE 8000
CMD ["gunicorn", "qms.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

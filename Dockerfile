# Trame: one image for the web server (gunicorn), the Celery worker and Celery beat.
#   docker build -t trame .
# See docker-compose.yml for the whole stack (PostgreSQL, Redis, a mail catcher).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRAME_VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# WeasyPrint 70 loads Pango, PangoFT2, HarfBuzz (+ subset) and fontconfig at run time (the Pillow
# wheel carries its own image libraries), and needs fonts to lay the PDFs out.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, from pyproject.toml alone, so that code changes reuse this layer.
# (pyproject declares no package: `pip install .` installs the dependencies only.)
COPY pyproject.toml README.md* /tmp/build/
RUN pip install /tmp/build && rm -rf /tmp/build

RUN useradd --system --uid 1000 --user-group --home-dir /app --shell /usr/sbin/nologin trame
WORKDIR /app
COPY . .

# Static files are hashed and compressed for WhiteNoise at build time. The dummy secret key only
# lets the settings load; it is never used to sign anything.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-collectstatic-dummy-key \
        DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var /data/media /data/pdf-cache \
    && chown trame:trame /app/var /data/media /data/pdf-cache

USER trame
EXPOSE 8000
VOLUME ["/data/media", "/data/pdf-cache"]

# No HEALTHCHECK here: the worker and beat run this image too; docker-compose.yml checks web's
# /healthz. In production, serve it behind a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER). Gunicorn's settings: gunicorn.conf.py (also read
# by the load test, bench/load); workers: WEB_CONCURRENCY; other options: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "cls_platform.wsgi", "--bind", "0.0.0.0:8000"]

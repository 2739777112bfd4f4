# Production image: GDAL, GEOS and PROJ from Debian, the atlas served by gunicorn.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_DEBUG=0 \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media \
    ATLAS_PUBLIC_DATA_ROOT=/data/public-data \
    WEB_CONCURRENCY=3

RUN apt-get update \
    && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 libproj25 gettext \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY atlas ./atlas
COPY districts ./districts
COPY indicators ./indicators
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings but no database; the key only exists during the build.
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0 \
    && DJANGO_SECRET_KEY=build-only python manage.py compilemessages -v 0 --ignore=.venv

RUN useradd --system --uid 1000 atlas && mkdir -p /data/media /data/public-data && chown -R atlas /data
USER atlas
EXPOSE 8000
# Workers: WEB_CONCURRENCY; the rest of gunicorn's settings, shared with `make run`, in
# deploy/gunicorn.conf.py.
CMD ["gunicorn", "atlas.wsgi:application", "--config", "deploy/gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000"]

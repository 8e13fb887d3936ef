FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings but no database or real secret.
RUN DJANGO_PRODUCTION=1 DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
# /var/lib/alliance/export-jobs: finished export-job files (a volume in docker-compose.yml), written as app.
RUN useradd --create-home app && chown -R app /app \
    && mkdir -p /var/lib/alliance/export-jobs && chown -R app /var/lib/alliance
USER app
EXPOSE 8000

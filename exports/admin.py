from django.contrib import admin
from django_tasks_db.models import DBTaskResult

# The task queue's rows are the worker's business: people follow their exports on the export-job pages, and
# operators through the worker's log (docs/operations.md, "Background jobs").
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

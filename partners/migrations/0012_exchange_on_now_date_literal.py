import datetime

import django.db.models.functions.comparison
from django.db import migrations, models

import core.expressions


class Migration(migrations.Migration):
    """The ``exchange_on_now`` index's constant is now a ``DateLiteral``, so that queries on SQLite write it as the
    index does. The index's SQL is the same as before on both databases (``COALESCE("actual_end", '9999-12-31')`` on
    SQLite, ``'9999-12-31'::date`` on PostgreSQL): only the migration state changes, and the index is not rebuilt."""

    dependencies = [
        ("partners", "0011_export_cells"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="exchange", name="exchange_on_now"),
                migrations.AddIndex(
                    model_name="exchange",
                    index=models.Index(
                        django.db.models.functions.comparison.Coalesce(
                            "actual_end", core.expressions.DateLiteral(datetime.date(9999, 12, 31))
                        ),
                        models.F("planned_end"),
                        models.F("actual_start"),
                        models.F("home_party"),
                        models.F("host_party"),
                        condition=models.Q(("actual_start__isnull", False), models.Q(("status", "cancelled"), _negated=True)),
                        name="exchange_on_now",
                    ),
                ),
            ],
        ),
    ]

from __future__ import annotations

import shutil

from django.core.management.base import BaseCommand, CommandError

from exports.forms import FilterForm
from exports.services import evidence_pack, export_file, record_export
from exports.sources import FORMATS, NAMES, source
from exports.writers import json_chunks


class Command(BaseCommand):
    help = "Export a dataset (or the evidence pack) to a file, with the same content as the web export."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=[*NAMES, "evidence"])
        parser.add_argument("--format", dest="fmt", choices=[*FORMATS, "zip"], default="csv")
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--start", help="YYYY-MM-DD")
        parser.add_argument("--end", help="YYYY-MM-DD")
        parser.add_argument("--partnership", help="Partnership id")
        parser.add_argument("--site", help="Site id")
        parser.add_argument("--company", help="Company id")
        parser.add_argument("--record-type", dest="record_type", help="For the audit trail: company, exchange, …")
        parser.add_argument("--as-of", dest="as_of", help="For qualification status: YYYY-MM-DD (default today)")
        parser.add_argument("--year-basis", dest="year_basis", help="Group by year: 'calendar' or a company id")
        parser.add_argument("--fiscal-year", dest="fiscal_year", help="Only that year (with --year-basis)")
        parser.add_argument("--headers", choices=["en", "ja"], help="Language of the column headers (default en)")

    def handle(self, *args, dataset, fmt, output, **options):
        form = FilterForm({key: options[key] for key in FilterForm.base_fields if options.get(key)})
        if not form.is_valid():
            raise CommandError(f"Bad filter: {form.error_text()}")
        filters = form.filters()
        if dataset == "evidence":
            result = evidence_pack(filters=filters, user=None, source_kind="command")
        elif fmt == "json":
            src = source(dataset, filters)
            rows = src.count()
            record_export(user=None, dataset=dataset, fmt=fmt, filters=src.applied, rows=rows, source_kind="command")
            with open(output, "wb") as out:
                for chunk in json_chunks(src, {"dataset": dataset, "filters": src.applied}):
                    out.write(chunk)
            self.stdout.write(f"Wrote {rows} rows to {output}.")
            return
        elif fmt == "zip":
            raise CommandError("Only the evidence pack is a zip; use --format csv, xlsx or json.")
        else:
            result = export_file(name=dataset, fmt=fmt, filters=filters, user=None, source_kind="command")
        with result, open(output, "wb") as out:
            shutil.copyfileobj(result.file, out)
        self.stdout.write(f"Wrote {result.rows} rows to {output} (SHA-256 {result.sha256}).")

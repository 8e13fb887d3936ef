from __future__ import annotations

import os
import sqlite3
import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Back up the whole database, audit trail and its protections included: SQLite's online backup "
        "(a consistent copy, safe while the app runs) or PostgreSQL's pg_dump in custom format."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Backup file to write.")

    def handle(self, *args, output: str, **options):
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            source = sqlite3.connect(settings["NAME"])
            target = sqlite3.connect(output)
            with target:
                source.backup(target)
            source.close()
            target.close()
        elif connection.vendor == "postgresql":
            env = {**os.environ}
            if settings.get("PASSWORD"):
                env["PGPASSWORD"] = settings["PASSWORD"]
            command = ["pg_dump", "--format=custom", "--no-owner", f"--file={output}", f"--dbname={settings['NAME']}"]
            for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
                if settings.get(key):
                    command.append(f"{flag}={settings[key]}")
            try:
                result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            except FileNotFoundError:
                raise CommandError(
                    "pg_dump was not found: install the PostgreSQL client tools (Debian: postgresql-client)."
                ) from None
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(self.style.SUCCESS(f"Backed up to {output}."))

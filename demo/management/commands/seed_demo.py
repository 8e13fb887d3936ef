from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.seed import (
    add_synthetic_exchanges,
    demo_password_problems,
    seed_governance,
    seed_illustrative,
    seed_reference,
    seed_training,
    seed_users,
)


class Command(BaseCommand):
    help = (
        "Load the AGC–MEDINET partnership with illustrative people, exchanges and milestones, and the demo "
        "users admin, staff, manager and auditor. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo users (at least 12 characters, not containing a username). Without it, "
            "new users get a random one, printed once, and existing users keep theirs.",
        )
        parser.add_argument(
            "--exchanges",
            type=int,
            default=0,
            metavar="N",
            help="Also add N synthetic exchanges in bulk (for benchmarks). Adds N more on every run.",
        )
        parser.add_argument("--random-seed", type=int, default=None, help="Make synthetic data repeatable.")

    def handle(self, *args, password: str | None, exchanges: int, random_seed: int | None, **options):
        if exchanges < 0:
            raise CommandError("--exchanges must be zero or more.")
        if password is not None and not password.strip():
            raise CommandError("--password must not be empty.")
        # The demo users are real logins on whatever server runs the demo: the same rules as every password.
        if password is not None and (problems := demo_password_problems(password)):
            raise CommandError("--password does not meet the password rules:\n  " + "\n  ".join(problems))
        partnership = seed_reference()
        logins = seed_users(password)
        seed_illustrative(partnership)
        seed_governance(partnership)
        seed_training()
        added = add_synthetic_exchanges(partnership, exchanges, seed=random_seed)
        if added:
            self.stdout.write(f"Added {added} synthetic exchanges.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {partnership}."))
        self.stdout.write("Demo logins:")
        for login in logins:
            secret = login.password if login.password else "(unchanged: existing password kept)"
            self.stdout.write(f"  {login.username:<8} {login.role:<14} {secret}")
        self.stdout.write("Pages follow the browser's language (English or Japanese); the top bar's button switches.")

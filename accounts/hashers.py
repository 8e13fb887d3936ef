"""The password hasher, with a cost chosen for the machines the app runs on."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at the cost in settings (PASSWORD_ARGON2_*), by default OWASP's first recommended setting.

    Django's own Argon2 cost (100 MiB, 8 lanes) and PBKDF2 at 1,000,000 iterations each take about a third of a
    second of one core: on a two-core server a handful of people signing in at once queue behind each other for
    seconds. 19 MiB and two passes cost a tenth of that and still make each guess cost an attacker 19 MiB of
    memory, which is what defeats GPU cracking. Hashes made with other parameters (or PBKDF2) are rewritten at the
    user's next sign-in (`must_update`).
    """

    algorithm = "argon2"

    @property
    def memory_cost(self) -> int:
        return settings.PASSWORD_ARGON2_MEMORY_KIB

    @property
    def time_cost(self) -> int:
        return settings.PASSWORD_ARGON2_TIME_COST

    parallelism = 1

"""Start the test provider: ``python -m tests.idp.serve PORT DATABASE`` (migrates, makes a key, serves)."""

from __future__ import annotations

import os
import sys

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main(port: str, database: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.idp.settings", IDP_DATABASE=database, IDP_RSA_PRIVATE_KEY=pem.decode()
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])

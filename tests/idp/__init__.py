"""A small OpenID provider for the tests: django-oauth-toolkit with OpenID Connect, in a process of its own.

``python -m tests.idp.serve PORT DATABASE`` migrates its own SQLite database, signs ID tokens with an RSA key made
at start, and serves on 127.0.0.1:PORT. Tests set its users (with the groups their claim carries) and its clients
through ``/control/`` (``tests.identity_provider``).
"""

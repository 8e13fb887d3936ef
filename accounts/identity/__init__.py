"""Sign-in through the companies' identity providers (OpenID Connect, through django-allauth).

``config`` reads the providers from the environment (imported by the settings, so it imports no models);
``roles`` is the one place where a provider's group claim becomes the app's roles; ``provider`` and ``adapters``
fit allauth to the app: a nonce on every sign-in, the login page as the only way in, refusals as pages.
"""

from django.conf import settings


def demo(request) -> dict:
    return {"demo_banner": settings.DEMO_BANNER}

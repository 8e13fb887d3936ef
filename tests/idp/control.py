"""What a test sets on the provider: a user (password, groups, active or not) and a client (the app)."""

from __future__ import annotations

import json

from django.contrib.auth.models import Group, User
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application


@csrf_exempt
@require_POST
def user(request):
    data = json.loads(request.body)
    found, _created = User.objects.get_or_create(username=data["username"])
    found.set_password(data["password"])
    found.first_name = data.get("first_name", "")
    found.last_name = data.get("last_name", "")
    found.email = data.get("email", "")
    found.is_active = data.get("is_active", True)
    found.save()
    found.groups.set([Group.objects.get_or_create(name=name)[0] for name in data.get("groups", [])])
    return JsonResponse({"sub": str(found.pk)})


@csrf_exempt
@require_POST
def client(request):
    data = json.loads(request.body)
    # The client keeps the callbacks it had: the tests of one worker (the app server's, the test client's) share
    # this provider, and whichever registers last must not lock the others out.
    had = Application.objects.filter(client_id=data["client_id"]).values_list("redirect_uris", flat=True).first()
    redirect_uris = dict.fromkeys([*(had or "").split(), *data["redirect_uris"]])
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        name=data["client_id"],
        client_id=data["client_id"],
        client_secret=data["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return JsonResponse({})

"""``{% rows_list cl %}``: the admin's ``{% result_list cl %}``, its rows drawn by ``core.changelist.rows``."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from core.changelist import rows

register = template.Library()


def rows_list(cl) -> dict:
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(rows(cl)),
    }


@register.tag(name="rows_list")
def rows_list_tag(parser, token):
    # The same template as Django's tag (admin/<app>/<model>/change_list_results.html first, as there).
    return InclusionAdminNode(
        parser, token, func=rows_list, template_name="change_list_results.html", takes_context=False
    )

"""``{% panel filled %}`` draws one dashboard panel: its template, with its own figures on top of the page's context."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from milestones import cache
from milestones.panels import Filled

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context: template.Context, filled: Filled) -> str:
    if filled.html is not None:
        return mark_safe(filled.html)  # noqa: S308 - our own template's output, kept as drawn
    # Like {% include %}, so the panel still sees the request, the user and the CSRF token.
    drawn = context.template.engine.get_template(filled.template_name)
    with context.push(filled.context):
        html = drawn.render(context)
    if filled.cache_key:
        cache.keep(filled.cache_key, html)
    return html

"""``{% panel filled %}`` draws one dashboard panel: its template, with its own figures on top of the page's context."""

from __future__ import annotations

from django import template

from milestones.panels import Filled

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context: template.Context, filled: Filled) -> str:
    # Like {% include %}, so the panel still sees the request, the user and the CSRF token.
    drawn = context.template.engine.get_template(filled.template_name)
    with context.push(filled.context):
        return drawn.render(context)

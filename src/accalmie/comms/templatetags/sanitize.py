"""Show mail HTML safely: it was sanitised at import, and is sanitised again here."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from accalmie.mail.htmlbody import sanitize_html

register = template.Library()


@register.filter
def sanitized_html(value: str) -> SafeString:
    """Return `value` cleaned to harmless formatting, marked safe for the template."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - cleaned by nh3 just now

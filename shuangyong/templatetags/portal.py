from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(needs_autoescape=True)
def link_portal_urls(text: str, autoescape: bool = True) -> SafeString:
    """Escape ``text`` and make links of this portal's own addresses (SITE_URL…) clickable.

    Message bodies can carry text users typed (a reason for 退回): an outside address in it stays
    plain text, so a notification can never be a phishing link dressed up by the portal.
    Inside the portal the link is the page's path: it opens on the address the user is on (an
    intranet name, a second port), whatever SITE_URL the e-mails carry.
    """
    escaped = str(conditional_escape(text))
    site = re.escape(str(conditional_escape(settings.SITE_URL)))
    pattern = re.compile(site + r"(/[^\s<>\"']*)")
    return mark_safe(pattern.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped))


@register.inclusion_tag("shuangyong/_reminder_history.html")
def reminder_history(obj: object, unit: object = None) -> dict[str, object]:
    """The item's reminder history panel: who was reminded when, snoozes, delegations."""
    from django.db.models import Model

    from shuangyong.models import OrgUnit
    from shuangyong.reminder_selectors import reminder_history as events

    assert isinstance(obj, Model)
    return {"reminder_events": events(obj, unit if isinstance(unit, OrgUnit) else None)}

"""`{% audit_history_url object as url %}`: the journal filtered on one object, for its page's
"Historique" link (templates/includes/history_link.html); "" when the object is not followed or
the person does not coordinate the territory (the journal is the coordination's)."""

from __future__ import annotations

from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils.http import urlencode

from cls_platform.audit import key_for_model

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_history_url(context: template.Context, obj: Model | None) -> str:
    access = context.get("access") or getattr(context.get("request"), "access", None)
    if obj is None or obj.pk is None or access is None or not access.is_coordinator:
        return ""
    key = key_for_model(type(obj))
    if key is None:
        return ""
    url = reverse("audit_trail", kwargs={"territory": access.territory.slug})
    return f"{url}?{urlencode({'objet': key, 'id': obj.pk})}"

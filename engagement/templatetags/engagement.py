"""Template helpers of engagement: published comment text, and the follow button of an object
(an application's page shows it)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from engagement import selectors
from engagement.redaction import MARK

register = template.Library()


@register.filter
def published(text: str) -> str:
    """A comment's published text, escaped, with the marks of removed personal data shown in
    the reader's language and line breaks kept."""
    mark = f'<span class="comment__removed">{escape(_("[removed]"))}</span>'
    html = escape(text or "").replace(escape(MARK), mark).replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - escaped above


@register.simple_tag(takes_context=True)
def follow_button(context, obj) -> str:
    """Follow or unfollow an object its app lets the person follow (`<app>.follow_<model>`);
    nothing for others. An application's applicant is told of its changes without following."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if getattr(obj, "applicant_id", None) == user.pk:
        return render_to_string("engagement/_follow_object.html", {"applicant": True})
    opts = obj._meta
    if not user.has_perm(f"{opts.app_label}.follow_{opts.model_name}", obj):
        return ""
    return render_to_string(
        "engagement/_follow_object.html",
        {
            "follow": selectors.object_follow(user, obj),
            "object_label": opts.label_lower,
            "object_id": obj.pk,
            "next": request.get_full_path(),
        },
        request=request,
    )

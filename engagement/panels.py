"""The comment thread and the follow button of a feature, as sections of HTML that the cards and
pages of any module show (through `place_panels`, or called by a module's own page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse

from core.rules import roles_by_municipality
from engagement import selectors
from engagement.forms import CommentForm
from engagement.models import Comment, CommentReport
from engagement.rules import moderating_roles
from layers.registry import Layer, registry


@dataclass
class Node:
    """A comment in the thread with the replies to it, and where to write a reply to it."""

    comment: Comment
    author: str
    reply_url: str = ""
    children: list[Node] = field(default_factory=list)


def _with_query(url: str, **params) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _tree(comments: list[Comment], page_url: str) -> list[Node]:
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in comments:  # in path order: a parent comes before its replies
        node = Node(
            comment=comment,
            author=selectors.author_name(comment.author),
            reply_url=f"{_with_query(page_url, reply_to=comment.pk)}#reply-{comment.pk}",
        )
        nodes[comment.pk] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.children if parent is not None else roots).append(node)
    return roots


def _moderated_municipalities(user, layer: str) -> set[int] | None:
    """The municipalities where the person moderates this layer's comments (None: all)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    wanted = moderating_roles(layer)
    return {m_id for m_id, roles in roles_by_municipality(user).items() if roles & wanted}


def thread_url(layer: str, feature_id) -> str:
    return f"{reverse('engagement:thread')}?{urlencode({'layer': layer, 'feature': feature_id})}"


def _layer(name: str) -> Layer | None:
    return registry.get_declared(name) or registry.get(name)


def feature_context(
    request,
    *,
    layer: Layer,
    target: selectors.FeatureTarget,
    compact: bool,
    form: CommentForm | None = None,
    reply_to: int | None = None,
    action: str | None = None,
    next_url: str | None = None,
) -> dict:
    """What the panel and the thread page show of a feature: the comments (as a tree, or the
    latest few on a card), the counts by stance, the form, and the follow state."""
    user = request.user
    name, feature_id = layer.name, target.feature_id
    context: dict = {
        "layer": layer,
        "target": target,
        "compact": compact,
        "signed_in": user.is_authenticated,
        "follow": selectors.feature_follow(user, name, feature_id),
        "next": next_url or request.get_full_path(),
        "thread_url": thread_url(name, feature_id),
        "writable": True,
    }
    if not layer.comments:
        return context
    context["summary"] = selectors.thread_summary(name, feature_id)
    context["closed"] = target.closed_message
    if compact:
        context["latest"] = [
            Node(comment=c, author=selectors.author_name(c.author))
            for c in selectors.latest_comments(name, feature_id)
        ]
        return context
    comments = list(selectors.thread(name, feature_id))
    reported = set()
    if user.is_authenticated and comments:
        reported = set(
            CommentReport.objects.filter(
                reporter=user, comment__in=[c.pk for c in comments]
            ).values_list("comment_id", flat=True)
        )
    action = action if action is not None else thread_url(name, feature_id)
    if reply_to is not None and form is not None:
        reply_form, form = form, None
    elif reply_to is not None:
        reply_form = CommentForm(initial={"parent": reply_to}, auto_id="id_reply_%s")
    else:
        reply_form = None
    context.update(
        nodes=_tree(comments, action or request.path),
        form=form if form is not None else CommentForm(),
        reply_form=reply_form,
        reply_to=reply_to,
        reported=reported,
        moderated=_moderated_municipalities(user, name),
        action=action,
    )
    return context


def feature_panel(request, *, layer: str, feature_id, compact: bool) -> str:
    """The section a card (compact: the counts, the latest comments and a link) or a page (the
    whole thread with the form) shows for a feature; empty for layers without comments whose
    features have no page of their module."""
    found = _layer(layer)
    if found is None or not (found.comments or found.page_url is not None):
        return ""
    target = selectors.feature_target(found, feature_id)
    if target is None:
        return ""
    next_url = target.url if compact else None
    context = feature_context(
        request, layer=found, target=target, compact=compact, next_url=next_url
    )
    return render_to_string("engagement/_panel.html", context, request=request)


def thread_html(
    request,
    *,
    layer: str,
    feature_id,
    form: CommentForm | None = None,
    reply_to: int | None = None,
    action: str | None = None,
    writable: bool = True,
) -> str:
    """The whole thread of a feature with its form, for a module's own page (the permit
    register): `action` is where the form posts (the page itself, by default the thread page),
    `form` a bound form with its errors and `reply_to` the comment it answered. A page that
    only shows the thread (the planner's review) passes writable=False."""
    found = _layer(layer)
    target = selectors.feature_target(found, feature_id) if found is not None else None
    if target is None:
        return ""
    context = feature_context(
        request,
        layer=found,
        target=target,
        compact=False,
        form=form,
        reply_to=reply_to,
        action=action,
    )
    context["writable"] = writable
    return render_to_string("engagement/_panel.html", context, request=request)

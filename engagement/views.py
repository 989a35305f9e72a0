"""Pages of engagement: a feature's thread, reporting and moderating comments, the inbox, the
preferences and what one follows.

Every form works without JavaScript (a plain POST, a redirect back, errors shown with what was
typed); a follow button posted by htmx (the HX-Request header) gets its panel back in place.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement import notifications, panels, selectors, services
from engagement.forms import AreaForm, CommentForm, ModerationForm, PreferenceForm, ReportForm
from engagement.models import Comment, Follow, FollowKind, Notification
from engagement.rules import can_moderate


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next(request: HttpRequest, default: str) -> str:
    """Where to go back to: the form's `next` if it is an address of this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for name, found in error.message_dict.items():
            form.add_error(name if name in form.fields else None, found)
    else:
        form.add_error(None, error.messages)


def _target_or_404(request, layer_name: str, feature_id: str) -> selectors.FeatureTarget:
    layer = selectors.comment_layer(layer_name)
    if layer is not None and not layer.can_view(request.user):
        layer = None
    target = selectors.feature_target(layer, feature_id) if layer is not None else None
    if target is None:
        raise Http404("No such feature takes comments.")
    return target


def comment_form(data) -> CommentForm:
    """A posted comment form; a reply's has ids of its own, beside the thread's main form."""
    return CommentForm(data, auto_id="id_reply_%s" if data.get("parent") else "id_%s")


def comment_submit(request: HttpRequest, *, layer: str, feature_id: str, form: CommentForm):
    """Validate a posted comment form and call the service; the comment, or None with the
    errors put on the form. Modules' own pages (the permit register) post through this too."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.comment_create(
            layer=layer,
            feature_id=feature_id,
            author=request.user,
            stance=data["stance"],
            body=data["body"],
            parent=data.get("parent"),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest) -> HttpResponse:
    """/{lang}/comments/?layer=..&feature=..: a feature's whole thread, and where comments on
    any layer that takes them are posted (then back to `next`, or here)."""
    layer_name = request.GET.get("layer", "")[:100]
    feature_id = request.GET.get("feature", "")[:100]
    target = _target_or_404(request, layer_name, feature_id)
    here = panels.thread_url(target.layer.name, target.feature_id)
    form, reply_to, status = None, _int(request.GET.get("reply_to")), 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(_next(request, here))
        form = comment_form(request.POST)
        comment = comment_submit(
            request, layer=target.layer.name, feature_id=target.feature_id, form=form
        )
        if comment is not None:
            messages.success(request, _("Thank you: your comment is published."))
            return HttpResponseRedirect(f"{_next(request, here)}#comment-{comment.pk}")
        reply_to = _int(request.POST.get("parent"))
        status = 400
    context = panels.feature_context(
        request,
        layer=target.layer,
        target=target,
        compact=False,
        form=form,
        reply_to=reply_to,
        next_url=_next(request, here),
    )
    return render(request, "engagement/thread.html", {**context, "page": "comments"}, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _comment_or_404(pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("author", "municipality"), pk=pk)
    if selectors.comment_layer(comment.layer) is None:
        raise Http404("No such comment.")
    return comment


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a comment to its moderators (signed in; once per person and comment). A hidden
    comment is already in the moderators' hands and is no one else's to see: 404."""
    comment = _comment_or_404(pk)
    if comment.is_hidden:
        raise Http404("No such comment.")
    back = _next(request, panels.thread_url(comment.layer, comment.feature_id))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.comment_report(
                    comment=comment,
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Thank you: the moderators will look at it."))
                return HttpResponseRedirect(f"{back}#comment-{comment.pk}")
        status = 400
    return render(
        request,
        "engagement/report.html",
        {
            "comment": comment,
            "author": selectors.author_name(comment.author),
            "form": form,
            "next": back,
            "page": "comments",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator's page of one comment: the text as written, its reports, hide or restore."""
    comment = _comment_or_404(pk)
    if not can_moderate.test(request.user, comment):
        raise Http404("No such comment.")
    form = ModerationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
            try:
                if action == "hide":
                    services.comment_hide(comment=comment, by=request.user, reason=reason)
                elif action == "restore":
                    services.comment_restore(comment=comment, by=request.user, reason=reason)
                else:
                    services.comment_reports_dismiss(comment=comment, by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect(_next(request, reverse("engagement:moderation")))
        status = 400
    layer = selectors.comment_layer(comment.layer)
    return render(
        request,
        "engagement/moderate.html",
        {
            "comment": comment,
            "author": selectors.author_name(comment.author),
            "layer": layer,
            "reports": comment.reports.select_related("reporter"),
            "form": form,
            "thread_url": panels.thread_url(comment.layer, comment.feature_id),
            "page": "moderation",
        },
        status=status,
    )


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    """Reported and hidden comments of the municipalities and layers one moderates."""
    if not selectors.is_moderator(request.user):
        raise Http404("Nothing to moderate.")
    page = Paginator(selectors.moderation_queue(request.user), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "comment": comment,
            "author": selectors.author_name(comment.author),
            "layer": selectors.comment_layer(comment.layer),
        }
        for comment in page.object_list
    ]
    return render(
        request,
        "engagement/moderation.html",
        {"page_obj": page, "rows": rows, "page": "moderation"},
    )


# ---------------------------------------------------------------------------------------------
# The inbox and the preferences


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """/{lang}/notifications/: newest first, unread marked, 50 a page."""
    page = Paginator(selectors.inbox(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/inbox.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread": selectors.unread_count(request.user),
            "page": "notifications",
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification read."""
    notifications.notifications_mark_read(user=request.user)
    return redirect(_next(request, reverse("engagement:inbox")))


def _own_notification(request: HttpRequest, pk: int) -> Notification:
    return get_object_or_404(Notification.objects.for_user(request.user), pk=pk)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read."""
    notification = _own_notification(request, pk)
    notifications.notifications_mark_read(user=request.user, notification=notification)
    return redirect(_next(request, reverse("engagement:inbox")))


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link; it counts as read."""
    notification = _own_notification(request, pk)
    notifications.notifications_mark_read(user=request.user, notification=notification)
    return HttpResponseRedirect(notification.url or reverse("engagement:inbox"))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_of(request.user)
    initial = {
        "email": preference.email,
        "sms": preference.sms,
        "frequency": preference.frequency,
        "language": preference.language,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notifications.preference_update(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("engagement:preferences")
        status = 400
    return render(
        request,
        "engagement/preferences.html",
        {"form": form, "page": "notifications"},
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# Follows


def _follow_answer(request: HttpRequest, back: str, layer: str = "", feature_id: str = ""):
    """Back to the page, or, for htmx, the feature's panel in place."""
    if _is_htmx(request) and layer:
        compact = request.POST.get("compact") == "1"
        html = panels.feature_panel(request, layer=layer, feature_id=feature_id, compact=compact)
        return HttpResponse(html)
    return HttpResponseRedirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def follows(request: HttpRequest) -> HttpResponse:
    """What one follows, and a form to follow an area drawn on the map."""
    form = AreaForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.follow_area(
                    user=request.user,
                    area=form.cleaned_data["area"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("You follow this area now."))
                return redirect("engagement:follows")
        status = 400
    found = selectors.follows_of(request.user)
    return render(
        request,
        "engagement/follows.html",
        {
            "form": form,
            "features": _feature_rows(request.user, found[FollowKind.FEATURE]),
            "objects": found[FollowKind.OBJECT],
            "areas": found[FollowKind.AREA],
            "map_config": _map_config(found[FollowKind.AREA]),
            "page": "follows",
        },
        status=status,
    )


def _feature_rows(user, follows: list[Follow]) -> list[dict]:
    """Each followed feature with its layer's title and its name, when it still exists."""
    rows = []
    for follow in follows:
        layer = selectors.followable_layer(follow.layer, user)
        target = selectors.feature_target(layer, follow.feature_id) if layer else None
        rows.append({"follow": follow, "layer": layer, "target": target})
    return rows


def _map_config(areas: list[Follow]) -> dict:
    from core.models import Municipality

    language = translation.get_language()
    first = Municipality.objects.order_by("pk").only("center_lon", "center_lat").first()
    return {
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "center": [first.center_lon, first.center_lat] if first else [41.64, 41.64],
        "areas": _areas_geojson(areas),
    }


def _areas_geojson(areas: list[Follow]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": follow.pk,
                "properties": {"name": follow.name},
                "geometry": json.loads(follow.area.transform(settings.SRID_API, clone=True).json),
            }
            for follow in areas
        ],
    }


@login_required
@require_POST
def follow_feature(request: HttpRequest) -> HttpResponse:
    layer = request.POST.get("layer", "")[:100]
    feature_id = request.POST.get("feature", "")[:100]
    back = _next(request, reverse("engagement:follows"))
    try:
        services.follow_feature(user=request.user, layer=layer, feature_id=feature_id)
    except ValidationError as error:
        raise Http404(error.messages[0]) from None
    messages.success(request, _("You follow it now: you will be told of what happens."))
    return _follow_answer(request, back, layer, feature_id)


@login_required
@require_POST
def follow_object(request: HttpRequest) -> HttpResponse:
    """Follow an application (or another object its app lets one follow)."""
    content_type = selectors.content_type_of(request.POST.get("object", "")[:100])
    if content_type is None:
        raise Http404("Nothing to follow.")
    obj = content_type.get_all_objects_for_this_type(pk=_int(request.POST.get("id"))).first()
    if obj is None:
        raise Http404("Nothing to follow.")
    try:
        services.follow_object(user=request.user, obj=obj)
    except PermissionDenied:
        raise Http404("Nothing to follow.") from None
    messages.success(request, _("You follow it now: you will be told of what happens."))
    return HttpResponseRedirect(_next(request, reverse("engagement:follows")))


@login_required
@require_POST
def follow_delete(request: HttpRequest, pk: int) -> HttpResponse:
    follow = get_object_or_404(Follow.objects.filter(user=request.user), pk=pk)
    layer, feature_id = follow.layer, follow.feature_id
    services.follow_remove(user=request.user, follow=follow)
    messages.success(request, _("You no longer follow it."))
    return _follow_answer(request, _next(request, reverse("engagement:follows")), layer, feature_id)

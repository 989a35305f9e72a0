"""What engagement adds to the portal: the notifications link with its unread count (the inbox
leads on to what one follows and the preferences), comment moderation for staff, the comment thread and follow button at features,
and the notification kinds of comments, follows and moderation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.modules import Audience, Module, NavLink, NotificationKind, register


def _unread(user) -> int:
    from engagement.selectors import unread_count

    return unread_count(user)


def _is_moderator(user) -> bool:
    from engagement.selectors import is_moderator

    return is_moderator(user)


def _reported(user) -> int:
    from engagement.selectors import reported_count

    return reported_count(user)


def place_panels(place, request, compact: bool) -> list[str]:
    """A feature's comments (and the follow button) on its card and its page."""
    from engagement.panels import feature_panel

    if place.feature is None:
        return []
    layer, feature_id = place.feature
    panel = feature_panel(request, layer=layer, feature_id=feature_id, compact=compact)
    return [panel] if panel else []


def _kind(name: str, label, **flags) -> NotificationKind:
    return NotificationKind(
        name=name, template=f"engagement/notifications/{name}", label=label, **flags
    )


register(
    Module(
        app="engagement",
        title=_("Comments and notifications"),
        nav=(
            NavLink(
                _("Notifications"),
                "engagement:inbox",
                audience=Audience.SIGNED_IN,
                order=20,
                page="notifications",
                badge=_unread,
            ),
            NavLink(
                _("Comment moderation"),
                "engagement:moderation",
                audience=Audience.STAFF,
                order=60,
                page="moderation",
                show=_is_moderator,
                badge=_reported,
            ),
        ),
        place_panels=place_panels,
        notifications=(
            _kind("comment_reply", _("Someone answered your comment")),
            _kind("comment_followed", _("A new comment on something you follow")),
            _kind("comment_area", _("A new comment in an area you follow")),
            _kind("area_feature", _("Something new in an area you follow")),
            _kind("feature_changed", _("News of something you follow")),
            _kind("followed_case", _("An application you follow changed")),
            _kind("moderation", _("A moderator hid or restored your comment")),
        ),
    )
)

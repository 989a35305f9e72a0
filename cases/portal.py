"""What the one window adds to the portal: my applications, the work queue, verification,
and the notification kinds every service shares."""

from django.utils.translation import gettext_lazy as _

from core.modules import Audience, Module, NavLink, NotificationKind, register


def _handles_cases(user) -> bool:
    from cases.selectors import is_case_staff

    return is_case_staff(user)


def _kind(name: str, label, **flags) -> NotificationKind:
    return NotificationKind(name=name, template=f"cases/notifications/{name}", label=label, **flags)


register(
    Module(
        app="cases",
        title=_("Applications"),
        nav=(
            NavLink(_("My applications"), "cases:mine", audience=Audience.SIGNED_IN, page="cases"),
            NavLink(
                _("Work queue"),
                "cases:queue",
                audience=Audience.STAFF,
                order=10,
                page="queue",
                show=_handles_cases,
            ),
            NavLink(_("Verify a decision"), "cases:verify", order=80, in_header=False),
        ),
        notifications=(
            _kind("submitted", _("Your application was received"), sms=True, essential=True),
            _kind("assigned", _("An application was assigned to you")),
            _kind(
                "information_requested",
                _("Information is requested from you"),
                sms=True,
                essential=True,
            ),
            _kind("information_answered", _("The applicant answered a request")),
            _kind("information_reminder", _("Reminder of a request to answer"), essential=True),
            _kind("message", _("A new message about an application")),
            _kind("overdue", _("An application is past its due date")),
            _kind("status_changed", _("The status of an application changed")),
            _kind("decided", _("A decision was issued"), sms=True, essential=True),
        ),
    )
)

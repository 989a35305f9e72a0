"""allauth's account adapter for the portal: sign-in limits answered with a page, and the
second factor set up right after signing in without giving the password twice."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from django.core.exceptions import ValidationError

from core import lockout, mfa


class PortalAccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        """A spent limit of failed sign-ins answers 429 with the wait, not a form error."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            raise ImmediateHttpResponse(lockout.locked_out(request, **credentials)) from None

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth asks for the password again before any change of the second factor, even
        right after signing in; a staff member made to set it up would give it twice in a
        minute. A sign-in step (password or code) within the same time counts as recent."""
        request = self.request or context.request
        if app == "allauth.mfa" and request is not None and mfa.signed_in_recently(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

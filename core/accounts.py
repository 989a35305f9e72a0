"""allauth's account adapter for the portal: sign-in limits answered with a page."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.core.exceptions import ValidationError

from core import lockout


class PortalAccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        """A spent limit of failed sign-ins answers 429 with the wait, not a form error."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            raise ImmediateHttpResponse(lockout.locked_out(request, **credentials)) from None

"""Pending actions that the service modules put on a case's page, without cases importing them.

A module offers them with a function in its app's `actions.py`:

    def case_actions(case, user) -> list[Action]: ...

answering what `user` should do now on `case` (answer a boundary-change request, pay a fee…).
The functions are found once, on first use, among the installed apps; each is asked for every
case shown, so it should return at once for cases of other modules (`case.service.module`).
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

ActionsFunction = Callable[..., list["Action"]]

_providers: list[ActionsFunction] | None = None


@dataclass(frozen=True)
class Action:
    """Something to do on a case: the link's text, where it goes, and by when (if known)."""

    label: str
    url: str
    due: datetime.date | None = None


def _discover() -> list[ActionsFunction]:
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.actions"
        if config.name == "cases" or importlib.util.find_spec(name) is None:
            continue
        function = getattr(importlib.import_module(name), "case_actions", None)
        if callable(function):
            found.append(function)
    return found


def providers() -> list[ActionsFunction]:
    global _providers
    if _providers is None:
        _providers = _discover()
    return _providers


def case_actions(case, user) -> list[Action]:
    """Every module's pending actions for this user on this case, in app order."""
    actions: list[Action] = []
    for function in providers():
        actions.extend(function(case, user))
    return actions

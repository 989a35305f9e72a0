"""Layers that participatory budgeting publishes: the proposals of the cycles open to the
public, and the winning projects with their delivery."""

from __future__ import annotations

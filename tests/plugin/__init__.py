"""A service module that exists only for the tests: a portal.py and a layers.py, nothing else.

It is what docs/adding-a-service.md promises: installed, it appears in the navigation, on the
cards of the map and in the work queue, with no line of the platform edited.
"""

"""Participatory budgeting in the admin: for corrections by a superuser; the work is done on
the staff pages."""

"""Formerly loaded the building-permit services; each module's catalogue is now loaded from its
own data after every migrate (cases/catalogue.py), so this migration does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_add_cases")]

    operations = []

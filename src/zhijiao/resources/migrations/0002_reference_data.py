"""Load the real taxonomy, major catalogues, boards and columns (resources/data/*.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.resources import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

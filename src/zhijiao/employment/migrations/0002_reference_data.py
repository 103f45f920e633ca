"""Load the industry and occupation classifications (employment/data/*.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.employment import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("employment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

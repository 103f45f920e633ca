"""On SQLite, store the statement-id register and the query terms as WITHOUT ROWID tables: each is then
one B-tree ordered by its primary key instead of a row table plus a unique index, which halves the
writes per statement on the ingest path. PostgreSQL is left as it is. Both tables are still empty."""

from django.db import migrations

TABLES = {
    "records_statementkey": (
        '"statement_id" char(32) NOT NULL PRIMARY KEY, "seq" bigint NOT NULL, "stored" datetime NOT NULL'
    ),
    "records_statementterm": (
        '"term" varchar(260) NOT NULL, "verb_id" varchar(255) NOT NULL, "stored" datetime NOT NULL, '
        '"seq" bigint NOT NULL, "direct" bool NOT NULL, PRIMARY KEY ("term", "verb_id", "stored", "seq")'
    ),
}


def cluster(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, columns in TABLES.items():
        schema_editor.execute(f'DROP TABLE "{table}"')
        schema_editor.execute(f'CREATE TABLE "{table}" ({columns}) WITHOUT ROWID')


def uncluster(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, columns in TABLES.items():
        schema_editor.execute(f'DROP TABLE "{table}"')
        schema_editor.execute(f'CREATE TABLE "{table}" ({columns})')


class Migration(migrations.Migration):
    dependencies = [("records", "0002_partition_statements")]

    operations = [migrations.RunPython(cluster, uncluster)]

"""Query terms as integers: a dictionary of terms (``IndexTerm``) and a ``StatementTerm`` table whose key is
(term id, verb id, stored in microseconds, seq) instead of two IRIs up to 260 characters and a timestamp.
Rows shrink from well over a hundred bytes to a few dozen, so ingest dirties fewer index pages per
batch and the range scans of queries read fewer.

The old table is renamed, the new one created (WITHOUT ROWID on SQLite, as before), the rows carried
over through the dictionary, and the old table dropped; going back does the opposite.
"""

from datetime import UTC

from django.db import migrations, models
from django.utils.dateparse import parse_datetime

OLD = "records_statementterm_old"
NEW = "records_statementterm"
DICTIONARY = "records_indexterm"
SQLITE_NEW = ('"term_id" bigint NOT NULL, "verb_id" bigint NOT NULL, "stored_us" bigint NOT NULL, '
              '"seq" bigint NOT NULL, "direct" bool NOT NULL, PRIMARY KEY ("term_id", "verb_id", "stored_us", "seq")')
OLD_COLUMNS = {
    "sqlite": ('"term" varchar(260) NOT NULL, "verb_id" varchar(255) NOT NULL, "stored" datetime NOT NULL, '
               '"seq" bigint NOT NULL, "direct" bool NOT NULL, PRIMARY KEY ("term", "verb_id", "stored", "seq")'),
    "postgresql": ('"term" varchar(260) NOT NULL, "verb_id" varchar(255) NOT NULL, "stored" timestamp with time '
                   'zone NOT NULL, "seq" bigint NOT NULL, "direct" boolean NOT NULL, '
                   'PRIMARY KEY ("term", "verb_id", "stored", "seq")'),
}
BATCH = 2000


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _interner(cursor):
    from zhijiao.records.indexing import term_hash

    ids = {}

    def term_id(term):
        if term not in ids:
            candidate = term_hash(term)
            while True:
                cursor.execute(f'INSERT INTO "{DICTIONARY}" ("id", "term") VALUES (%s, %s) ON CONFLICT DO NOTHING',
                               [candidate, term])
                cursor.execute(f'SELECT "id" FROM "{DICTIONARY}" WHERE "term" = %s', [term])
                row = cursor.fetchone()
                if row is not None:
                    ids[term] = row[0]
                    break
                candidate += 1
        return ids[term]

    return term_id


def stash(apps, schema_editor):
    schema_editor.execute(f'ALTER TABLE "{NEW}" RENAME TO "{OLD}"')
    if schema_editor.connection.vendor == "postgresql":  # the new table's primary key wants the name
        schema_editor.execute(f'ALTER INDEX IF EXISTS "{NEW}_pkey" RENAME TO "{OLD}_pkey"')


def unstash(apps, schema_editor):
    schema_editor.execute(f'ALTER TABLE "{OLD}" RENAME TO "{NEW}"')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER INDEX IF EXISTS "{OLD}_pkey" RENAME TO "{NEW}_pkey"')


def carry_over(apps, schema_editor):
    from zhijiao.records.indexing import micros

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(f'DROP TABLE "{NEW}"')
        schema_editor.execute(f'CREATE TABLE "{NEW}" ({SQLITE_NEW}) WITHOUT ROWID')
    with connection.cursor() as reader, connection.cursor() as writer:
        term_id = _interner(writer)
        reader.execute(f'SELECT "term", "verb_id", "stored", "seq", "direct" FROM "{OLD}"')
        while rows := reader.fetchmany(BATCH):
            values = [(term_id(term), term_id("V " + verb), micros(_aware(stored)), seq, bool(direct))
                      for term, verb, stored, seq, direct in rows]
            writer.execute(f'INSERT INTO "{NEW}" ("term_id", "verb_id", "stored_us", "seq", "direct") VALUES '
                           + ",".join(["(%s,%s,%s,%s,%s)"] * len(values)), [v for row in values for v in row])
    schema_editor.execute(f'DROP TABLE "{OLD}"')


def carry_back(apps, schema_editor):
    from datetime import datetime, timedelta

    connection = schema_editor.connection
    columns = OLD_COLUMNS.get(connection.vendor)
    if columns is None:
        raise RuntimeError(f"no reverse migration for {connection.vendor}")
    suffix = " WITHOUT ROWID" if connection.vendor == "sqlite" else ""
    schema_editor.execute(f'CREATE TABLE "{OLD}" ({columns}){suffix}')
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    with connection.cursor() as reader, connection.cursor() as writer:
        reader.execute(f'SELECT t."term", v."term", s."stored_us", s."seq", s."direct" FROM "{NEW}" s '
                       f'JOIN "{DICTIONARY}" t ON t."id" = s."term_id" JOIN "{DICTIONARY}" v ON v."id" = s."verb_id"')
        while rows := reader.fetchmany(BATCH):
            values = []
            for term, verb, stored_us, seq, direct in rows:
                stored = epoch + timedelta(microseconds=stored_us)
                if connection.vendor == "sqlite":
                    stored = str(stored.replace(tzinfo=None))
                values.append((term, verb[2:], stored, seq, direct))
            writer.execute(f'INSERT INTO "{OLD}" ("term", "verb_id", "stored", "seq", "direct") VALUES '
                           + ",".join(["(%s,%s,%s,%s,%s)"] * len(values)), [v for row in values for v in row])


class Migration(migrations.Migration):
    dependencies = [("records", "0003_sqlite_clustered_keys")]

    operations = [
        migrations.CreateModel(
            name="IndexTerm",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("term", models.CharField(max_length=260, unique=True)),
            ],
            options={"verbose_name": "query term"},
        ),
        migrations.RunPython(stash, unstash),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="StatementTerm")]),
        migrations.CreateModel(
            name="StatementTerm",
            fields=[
                ("pk", models.CompositePrimaryKey("term_id", "verb_id", "stored_us", "seq", blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ("term_id", models.BigIntegerField()),
                ("verb_id", models.BigIntegerField()),
                ("stored_us", models.BigIntegerField()),
                ("seq", models.BigIntegerField()),
                ("direct", models.BooleanField()),
            ],
            options={"verbose_name": "statement query term"},
        ),
        migrations.RunPython(carry_over, carry_back),
    ]

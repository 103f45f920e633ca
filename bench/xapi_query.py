"""GET /xapi/statements with agent + verb + since over 10 million statements: p95 ≤ 100 ms.

Builds the store directly in SQL (statements, id register and query terms exactly as ingest writes them;
20,000 learners, 20 verbs, 2,000 activities, a year of ``stored`` times, so a year of monthly partitions
on PostgreSQL), then asks the LRS, through the full Django stack with an LRS credential, for one
learner's statements with one verb since a day 1 to 60 days back, 300 times with random choices.

    DATABASE_URL=postgres://… .venv/bin/python bench/xapi_query.py [--rows 10000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_label, machine, percentile, report, throwaway_database

TARGET_P95_MS = 100
USERS, VERBS, ACTIVITIES = 20_000, 20, 2_000
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 365 * 24 * 3600


def build_terms(cursor, home: str, stored_us_sql: str, true_sql: str) -> None:
    """The term dictionary and the query terms, as ingest writes them: one "A " (actor) and one "O "
    (object) row per statement, keyed by dictionary ids, the verb as the id of "V " + verb."""
    from zhijiao.records.indexing import term_hash

    terms = ([f"A account:{home} {user}" for user in range(USERS)]
             + [f"O {home}/resources/{activity}/" for activity in range(ACTIVITIES)]
             + [f"V http://example.com/verbs/v{verb}" for verb in range(VERBS)])
    cursor.executemany("INSERT INTO records_indexterm (id, term) VALUES (%s, %s)",
                       [(term_hash(term), term) for term in terms])
    for prefix, column in (("A ", "actor_key"), ("O ", "object_id")):
        cursor.execute(f"""INSERT INTO records_statementterm (term_id, verb_id, stored_us, seq, direct)
            SELECT t.id, v.id, {stored_us_sql}, s.seq, {true_sql} FROM records_statement s
            JOIN records_indexterm t ON t.term = '{prefix}' || s.{column}
            JOIN records_indexterm v ON v.term = 'V ' || s.verb_id""")


def build_postgres(rows: int, home: str, credential_id: int) -> None:
    from django.db import connection

    from zhijiao.records import partitions

    partitions.create_months(START.date(), (START + timedelta(days=366)).date())
    chunk = 1_000_000
    step = SPAN_SECONDS / rows
    with connection.cursor() as cursor:
        for first in range(1, rows + 1, chunk):
            last = min(rows, first + chunk - 1)
            cursor.execute(f"""
                INSERT INTO records_statement (statement_id, stored, timestamp, actor_key, user_id, verb_id,
                    object_id, registration, voided, ref_target, data, client_address, user_agent, credential_id)
                SELECT md5('s' || i)::uuid, %s::timestamptz + (i * {step}) * interval '1 second',
                    %s::timestamptz + (i * {step}) * interval '1 second',
                    'account:{home} ' || (i * 7919 %% {USERS}), NULL,
                    'http://example.com/verbs/v' || (i %% {VERBS}),
                    '{home}/resources/' || (i * 31 %% {ACTIVITIES}) || '/', NULL, false, NULL,
                    jsonb_build_object('id', md5('s' || i)::uuid::text,
                        'actor', jsonb_build_object('account', jsonb_build_object('homePage', '{home}',
                                                                                'name', (i * 7919 %% {USERS})::text)),
                        'verb', jsonb_build_object('id', 'http://example.com/verbs/v' || (i %% {VERBS})),
                        'object', jsonb_build_object('id', '{home}/resources/' || (i * 31 %% {ACTIVITIES}) || '/'),
                        'stored', to_char(%s::timestamptz + (i * {step}) * interval '1 second',
                                          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                        'version', '1.0.0'),
                    NULL, '', %s
                FROM generate_series(%s::bigint, %s::bigint) AS i
            """, [START, START, START, credential_id, first, last])
            print(f"  {last:,} statements", flush=True)
        cursor.execute("""INSERT INTO records_statementkey (statement_id, seq, stored)
                          SELECT statement_id, seq, stored FROM records_statement""")
        build_terms(cursor, home, "(extract(epoch FROM s.stored) * 1000000)::bigint", "true")
        cursor.execute("ANALYZE")


def build_sqlite(rows: int, home: str, credential_id: int) -> None:
    from django.db import connection, transaction

    step = SPAN_SECONDS / rows
    chunk = 50_000
    for first in range(1, rows + 1, chunk):
        batch = []
        for i in range(first, min(rows, first + chunk - 1) + 1):
            stored = START + timedelta(seconds=i * step)
            stamp = stored.strftime("%Y-%m-%d %H:%M:%S.%f")
            user, verb, activity = i * 7919 % USERS, f"http://example.com/verbs/v{i % VERBS}", i * 31 % ACTIVITIES
            sid = f"{i:032x}"
            data = json.dumps({"id": str(__import__('uuid').UUID(sid)), "actor": {"account": {"homePage": home,
                               "name": str(user)}}, "verb": {"id": verb}, "object": {"id": f"{home}/resources/{activity}/"},
                               "stored": stored.isoformat(), "version": "1.0.0"})
            batch.append((sid, stamp, stamp, f"account:{home} {user}", verb, f"{home}/resources/{activity}/", data,
                          credential_id))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("""INSERT INTO records_statement (statement_id, stored, timestamp, actor_key, verb_id,
                object_id, voided, data, user_agent, credential_id) VALUES (%s, %s, %s, %s, %s, %s, 0, %s, '', %s)""",
                               batch)
        print(f"  {min(rows, first + chunk - 1):,} statements", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO records_statementkey SELECT statement_id, seq, stored FROM records_statement")
        # stored is 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC) here.
        build_terms(cursor, home, "CAST(strftime('%s', s.stored) AS INTEGER) * 1000000 "
                                  "+ CAST(substr(s.stored, 21, 6) AS INTEGER)", "1")
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    with throwaway_database("xapi_query"):
        return measure(args)


def measure(args) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from zhijiao.identity import services as identity
    from zhijiao.identity.models import OrgKind, Role, User
    from zhijiao.records import services

    call_command("migrate", verbosity=0)
    nation = identity.create_organisation(None, name="n", kind=OrgKind.NATION, parent=None)
    admin = User.objects.create(username="bench_admin")
    identity.grant_role_as_operator(admin, nation, Role.SYSTEM_ADMIN)
    credential, secret = services.issue_credential(actor=admin, name="bench", organisation=nation,
                                                   scopes=["read_all"])
    home = settings.ZJ_PUBLIC_URL
    started = time.perf_counter()
    print(f"building {args.rows:,} statements …", flush=True)
    from django.db import connection

    (build_postgres if connection.vendor == "postgresql" else build_sqlite)(args.rows, home, credential.pk)
    print(f"built in {time.perf_counter() - started:.0f}s", flush=True)
    client = Client()
    headers = {"Authorization": "Basic " + base64.b64encode(f"{credential.key}:{secret}".encode()).decode(),
               "X-Experience-API-Version": "1.0.3"}
    end = START + timedelta(seconds=SPAN_SECONDS)
    rng = random.Random(7)
    samples, found = [], 0
    for n in range(args.queries + 20):
        agent = {"account": {"homePage": home, "name": str(rng.randrange(USERS))}}
        since = end - timedelta(days=rng.randint(1, 60))
        query = urlencode({"agent": json.dumps(agent), "verb": f"http://example.com/verbs/v{rng.randrange(VERBS)}",
                           "since": since.isoformat()})
        began = time.perf_counter()
        response = client.get(f"/xapi/statements?{query}", headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.content
        if n >= 20:  # the first ones warm caches
            samples.append(elapsed)
            found += len(response.json()["statements"])
    print(f"machine: {machine()} (shared); database: {database_label()}; {args.rows:,} statements; "
          f"{args.queries} queries, {found} statements returned; p50 {percentile(samples, 0.5):.1f} ms")
    return 0 if report("GET /xapi/statements agent+verb+since p95", percentile(samples, 0.95), TARGET_P95_MS, "ms",
                       higher_is_better=False) else 1


if __name__ == "__main__":
    sys.exit(main())

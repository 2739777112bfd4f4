"""The demo data of a test database, kept beside it once, for the transactional tests.

A transactional test (the browser tests, GDAL against the live server) commits what it does,
and pytest-django empties every table after it. Importing the demo data again for the next
one took seconds, and emptying the tables as many again. Instead, ``keep`` copies every table
into a schema of its own once the test database holds the demo data, and ``restore`` puts
back the tables whose rows differ from the copy, before such a test and after it: the test
sees what every other test sees, and leaves it so.

Which tables differ is written down by the database itself: a statement trigger on every
table notes its name in a log whenever a statement writes to it (in the writer's transaction,
so a write rolled back leaves no note). ``restore`` reads the log instead of comparing every
row of every table, which took a fifth of a second twice per test; a table without the
trigger (made after ``keep``) is compared row by row as before.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from core.models import DataVersion

SCHEMA = "demo_snapshot"
LOG = f"{SCHEMA}.written"
TRIGGER = "demo_snapshot_written"

# Table → checksum of its rows as kept; set by keep().
_KEPT: dict[str, str] = {}


def _tables() -> list[str]:
    names = connection.introspection.django_table_names(only_existing=True)
    # The data version is the database's own count of writes (its triggers keep it).
    return sorted(name for name in names if name != DataVersion._meta.db_table)


def emptying(tables: list[str]) -> list[str]:
    """Statements that empty ``tables`` in one transaction, foreign keys checked at its end.

    DELETE, not TRUNCATE: for these small tables it is several times faster, since TRUNCATE
    gives every table and index new files. Triggers see a write either way; sequences go on.
    """
    quote = connection.ops.quote_name
    return ["SET CONSTRAINTS ALL DEFERRED", *(f"DELETE FROM {quote(table)}" for table in tables)]


def _checksums(cursor, tables: list[str], schema: str = "public") -> dict[str, str]:
    """Row count and an order-free sum of the rows' hashes, per table, in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT {index}, count(*) || ':' || COALESCE(sum(('x' || left(md5(t::text), 15))"
        f"::bit(60)::bigint), 0) FROM {schema}.{quote(table)} t"
        for index, table in enumerate(tables)
    ]
    cursor.execute(" UNION ALL ".join(parts))
    return {tables[index]: checksum for index, checksum in cursor.fetchall()}


def keep() -> None:
    """Copies every table of the test database, as it stands, into the snapshot schema, and
    puts the trigger that logs writes on each."""
    tables = _tables()
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in tables:
            cursor.execute(f"CREATE TABLE {SCHEMA}.{quote(table)} AS TABLE public.{quote(table)}")
        _KEPT.clear()
        _KEPT.update(_checksums(cursor, tables, SCHEMA))
        # No key on the log: writers of the same table in two open transactions must not wait
        # for each other because of it.
        cursor.execute(
            f"CREATE TABLE {LOG} (name text NOT NULL, at timestamptz NOT NULL "
            "DEFAULT clock_timestamp())"
        )
        cursor.execute(
            f"CREATE FUNCTION {SCHEMA}.note_write() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN INSERT INTO {LOG} VALUES (TG_TABLE_NAME); RETURN NULL; END $$"
        )
        for table in tables:
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON public.{quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION "
                f"{SCHEMA}.note_write()"
            )


def _unwatched(cursor, tables: list[str]) -> list[str]:
    """Those of ``tables`` without the trigger."""
    cursor.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = %s",
        [TRIGGER],
    )
    watched = {name for (name,) in cursor.fetchall()}
    return [table for table in tables if table not in watched]


def restore() -> list[str]:
    """Gives every table whose rows differ from the kept ones those rows back; returns their
    names. Rows keep their ids; sequences stay ahead of them, as no test resets them."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if not _KEPT:  # a database cloned from one where keep() ran (tests/template_db.py)
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [SCHEMA])
            kept = sorted(name for (name,) in cursor.fetchall())
            assert kept, "keep() first"
            _KEPT.update(_checksums(cursor, kept, SCHEMA))
        tables = _tables()
        cursor.execute(f"SELECT DISTINCT name FROM {LOG}")
        written = {name for (name,) in cursor.fetchall()}
        unwatched = _unwatched(cursor, tables)
        compared = _checksums(cursor, unwatched) if unwatched else {}
        changed = [
            table
            for table in tables
            if table in written or (table in compared and _KEPT.get(table) != compared[table])
        ]
        if changed:
            for statement in emptying(changed):
                cursor.execute(statement)
            for table in changed:
                if table in _KEPT:
                    cursor.execute(
                        f"INSERT INTO {quote(table)} SELECT * FROM {SCHEMA}.{quote(table)}"
                    )
        cursor.execute(f"DELETE FROM {LOG}")  # the restore's own writes included
    # After a flush the content types were made anew; the cache must not keep their numbers.
    ContentType.objects.clear_cache()
    return changed


# Tables whose rows no public page, file or download shows: users, sessions, sign-in attempts,
# second factors, the admin's log and requests for a second pair of eyes.
UNSHOWN = ("auth_", "django_session", "django_admin_log", "django_content_type", "axes_",
           "otp_", "core_pendingchange")  # fmt: skip


# Databases known to have the log (it is made by keep()).
_LOGGED: set[str] = set()


def last_shown_write():
    """When the current transaction (or, outside one, anything since the last ``restore``)
    last wrote to a table whose rows the public sees, or None (also before ``keep``)."""
    with connection.cursor() as cursor:
        if connection.settings_dict["NAME"] not in _LOGGED:
            cursor.execute("SELECT to_regclass(%s)", [LOG])
            if cursor.fetchone()[0] is None:
                return None
            _LOGGED.add(connection.settings_dict["NAME"])
        cursor.execute(f"SELECT max(at) FROM {LOG} WHERE NOT name ^@ ANY(%s)", [list(UNSHOWN)])
        return cursor.fetchone()[0]


# Set by a test that leaves the demo data as kept: the flush after it may leave it too.
_LEFT_IN_PLACE = False


def leave_in_place() -> None:
    global _LEFT_IN_PLACE
    _LEFT_IN_PLACE = True


def left_in_place() -> bool:
    """Whether the tables hold the kept demo data; asking takes the answer back."""
    global _LEFT_IN_PLACE
    answer, _LEFT_IN_PLACE = _LEFT_IN_PLACE, False
    return answer

"""make backup / make restore round trip on scratch databases with the demo data."""

import hashlib
import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from . import demo_snapshot, template_db

ROOT = Path(settings.BASE_DIR)
# One worker runs the module: its scratch databases are made once, under one name.
pytestmark = [pytest.mark.xdist_group("backup"), pytest.mark.external]


def _connect(dbname: str):
    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname=dbname, user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    connection.autocommit = True
    return connection


def _url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{dbname}"


def _sql(dbname: str, statement: str, *params):
    connection = _connect(dbname)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def database_checksums(dbname: str) -> dict[str, tuple]:
    """Row count and md5 of every table's rows (sorted as text), and every sequence's position."""
    sums = {}
    connection = _connect(dbname)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            cursor.execute(
                "SELECT count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f' FROM "{table}" t'
            )
            sums[table] = cursor.fetchone()
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        for sequence, last_value in cursor.fetchall():
            sums[f"sequence {sequence}"] = (last_value,)
    connection.close()
    return sums


def media_checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(script: str, *args, database: str, media: Path, backup_dir: Path | None = None):
    env = {
        **os.environ,
        "DATABASE_URL": _url(database),
        "DJANGO_MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(backup_dir or media.parent / "backups"),
    }
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def scratch(django_db_setup, django_db_blocker):
    """Two scratch databases: ``source`` with the demo data loaded, and ``fresh``, empty.

    ``source`` is a copy of the tests' template database (migrated, the demo data loaded:
    tests/template_db.py) without the tests' copy of the demo data and its triggers, as
    ``migrate`` and ``load_demo_data`` leave a new database.
    Each test leaves ``source`` as it found it (restored)."""
    prefix = f"test_{settings.DATABASES['default']['NAME']}_backup"
    names = {"source": f"{prefix}_source", "fresh": f"{prefix}_fresh"}
    with django_db_blocker.unblock():
        template_db.copy_template(names["source"])
    _sql(names["source"], f"DROP SCHEMA {demo_snapshot.SCHEMA} CASCADE")
    # PostGIS comes from template1, as for the test database.
    _sql("postgres", f'DROP DATABASE IF EXISTS "{names["fresh"]}" WITH (FORCE)')
    _sql("postgres", f'CREATE DATABASE "{names["fresh"]}"')
    yield names
    for name in names.values():
        _sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _write_media(root: Path) -> None:
    (root / "datenstaende" / "2024").mkdir(parents=True)
    (root / "datenstaende" / "2024" / "werte 2024.csv").write_text("gebiet;jahr\n11;2024\n")
    (root / "grenzen.gpkg").write_bytes(bytes(range(256)) * 40)
    (root / ".hidden").write_text("kept too")


def _record_audit_entry(dbname: str) -> None:
    """A statistician's action in the audit log (Django's admin log), which must survive."""
    _sql(
        dbname,
        "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, email,"
        " is_staff, is_active, date_joined) VALUES ('stat', '!', false, '', '', '', true, true,"
        " now())",
    )
    _sql(
        dbname,
        "INSERT INTO django_admin_log (action_time, object_id, object_repr, action_flag,"
        " change_message, content_type_id, user_id) SELECT now(), id::text, title, 2,"
        " 'Veröffentlicht', (SELECT id FROM django_content_type WHERE model = 'release'),"
        " (SELECT id FROM auth_user WHERE username = 'stat') FROM indicators_release LIMIT 1",
    )


def _damage(dbname: str, media: Path) -> None:
    _sql(dbname, "DELETE FROM indicators_observation WHERE year = 2020")
    _sql(dbname, "UPDATE indicators_indicator SET name_de = 'falsch'")
    _sql(dbname, "DELETE FROM django_admin_log")
    _sql(dbname, "CREATE TABLE nach_dem_backup (id int)")
    (media / "grenzen.gpkg").unlink()
    (media / "datenstaende" / "2024" / "werte 2024.csv").write_text("überschrieben")
    (media / "neu.txt").write_text("nach dem Backup hochgeladen")


def test_a_backup_restores_every_table_and_file_exactly(scratch, tmp_path):
    source, fresh = scratch["source"], scratch["fresh"]
    media = tmp_path / "media"
    _write_media(media)
    _record_audit_entry(source)
    tables_before = database_checksums(source)
    files_before = media_checksums(media)
    assert tables_before["indicators_observation"][0] > 1000
    assert tables_before["django_admin_log"][0] == 1

    made = run("backup.sh", database=source, media=media)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert backup.parent == tmp_path / "backups"
    assert sorted(p.name for p in backup.iterdir()) == [
        "MANIFEST", "SHA256SUMS", "database.dump", "media.tar.gz",
    ]  # fmt: skip

    _damage(source, media)
    assert database_checksums(source) != tables_before

    # Into an empty database, with the files under another path.
    other_media = tmp_path / "elsewhere" / "media"
    restored = run("restore.sh", str(backup), database=fresh, media=other_media)
    assert restored.returncode == 0, restored.stderr
    assert database_checksums(fresh) == tables_before
    assert media_checksums(other_media) == files_before

    # Over the damaged database and files: objects are dropped and recreated.
    restored = run("restore.sh", str(backup), database=source, media=media)
    assert restored.returncode == 0, restored.stderr
    after = database_checksums(source)
    # A table created after the backup is not the backup's business; everything else is back.
    assert after.pop("nach_dem_backup") == (0, "d41d8cd98f00b204e9800998ecf8427e")
    assert after == tables_before
    assert media_checksums(media) == files_before


def test_a_damaged_backup_is_refused_and_changes_nothing(scratch, tmp_path):
    source, fresh = scratch["source"], scratch["fresh"]
    media = tmp_path / "media"
    _write_media(media)
    backup = Path(run("backup.sh", database=source, media=media).stdout.strip())
    dump = backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    tables_before = database_checksums(fresh)

    restored = run("restore.sh", str(backup), database=fresh, media=media)

    assert restored.returncode != 0
    assert "damaged" in restored.stderr
    assert database_checksums(fresh) == tables_before


def test_restore_without_a_backup_says_how_to_call_it(tmp_path):
    restored = run("restore.sh", database="nowhere", media=tmp_path)
    assert restored.returncode == 2
    assert "make restore BACKUP=" in restored.stderr

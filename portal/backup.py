"""Backup and restore: the database (pg_dump) and the uploaded files in one archive.

    python manage.py backup var/backups/portal-20260301.tar
    python manage.py restore var/backups/portal-20260301.tar        # into an EMPTY database

The archive is a tar file holding
  - `database.dump`: pg_dump's custom format, one consistent snapshot (a single transaction);
  - `media/…`: the files under MEDIA_ROOT, copied AFTER the dump, so every file a dumped row
    names is in the archive (uploads are written before their row and never rewritten);
  - `manifest.json`: when, which database, and the row count of every table at dump time, which
    `restore` checks the restored database against.

Restore refuses a database that has any table: it never merges into live data. The append-only
triggers come back with the schema (pg_restore creates triggers after loading the rows).
"""

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

FORMAT = 1


class BackupError(Exception):
    pass


def _pg_env(db: dict) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump / pg_restore from a Django database setting."""
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]  # never on the command line (ps shows it)
    return args, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def table_counts(connection) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _require_postgresql(connection):
    if connection.vendor != "postgresql":
        raise BackupError(
            "backup and restore use pg_dump: set DATABASE_URL to PostgreSQL "
            "(the embedded SQLite default is one file under var/: copy it while stopped)."
        )


def backup(archive: Path, using: str = "default") -> dict:
    connection = connections[using]
    _require_postgresql(connection)
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    args, env = _pg_env(connection.settings_dict)
    with tempfile.TemporaryDirectory() as tmp, transaction.atomic(using=using):
        dump = Path(tmp) / "database.dump"
        # One snapshot for the counts and the dump: pg_dump reads the snapshot this
        # transaction exported, so the manifest describes exactly what the dump holds.
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        manifest = {
            "format": FORMAT,
            "database": connection.settings_dict["NAME"],
            "counts": table_counts(connection),
        }
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(dump),
                *args,
            ],
            env,
        )
        partial = archive.with_suffix(archive.suffix + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(dump, arcname="database.dump")
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(archive)  # a backup that stopped half-way never looks complete
    return manifest


def _safe_members(tar: tarfile.TarFile, prefix: str):
    for member in tar.getmembers():
        if member.name == prefix or member.name.startswith(prefix + "/"):
            yield member


def _connect(db: dict):
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def _public_tables(conn) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]


def restore(archive: Path, using: str = "default", database_url: str = "") -> dict:
    """Restore into the `using` database, or into the one `database_url` names (a fresh
    database beside the live one, e.g. to check a backup)."""
    if database_url:
        import environ

        db = environ.Env.db_url_config(database_url)
        if "postgresql" not in db["ENGINE"]:
            raise BackupError("restore needs a PostgreSQL database URL")
    else:
        _require_postgresql(connections[using])
        db = connections[using].settings_dict
        connections[using].close()  # pg_restore works through its own connection
    with _connect(db) as conn:
        tables = _public_tables(conn)
    if tables:
        raise BackupError(
            f"the database {db['NAME']} is not empty ({len(tables)} tables): "
            "restore only into an empty database"
        )
    args, env = _pg_env(db)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown archive format {manifest.get('format')!r}")
        tar.extract("database.dump", tmp, filter="data")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(Path(tmp) / "database.dump"),
            ],
            env,
        )
        media = Path(settings.MEDIA_ROOT)
        members = list(_safe_members(tar, "media"))
        if members:
            staging = Path(tmp) / "files"
            tar.extractall(staging, members=members, filter="data")
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(staging / "media", media, dirs_exist_ok=True)
    with _connect(db) as conn:
        restored = {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in _public_tables(conn)
        }
    different = {
        table: (count, restored.get(table))
        for table, count in manifest["counts"].items()
        if restored.get(table) != count
    }
    if different:
        raise BackupError(f"restored row counts differ from the backup's: {different}")
    return {"manifest": manifest, "counts": restored}

"""Where the test databases live: SQLite files (default) or PostgreSQL.

`TEST_DATABASE=postgresql` runs the same suite on PostgreSQL
(`TEST_PG_URL`, default postgresql://postgres@127.0.0.1:5432). Each backend
prepares one template per session and gives every test a private clone:
a file copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL.
"""

import itertools
import os
import shutil

import pytest

NAME = os.environ.get("TEST_DATABASE", "sqlite")
PG_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


class Sqlite:
    name = "sqlite"

    def template_config(self, instance):
        return {}

    def finish_template(self, db):
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def template_ref(self):
        return {}

    def clone(self, template_instance, instance):
        shutil.copy(template_instance / "cekbansos.sqlite3", instance / "cekbansos.sqlite3")
        return {}

    def drop(self, config):
        pass


class Postgres:
    name = "postgresql"

    def __init__(self):
        self.prefix = f"cbtest_{os.getpid()}"
        self.template = f"{self.prefix}_tpl"
        self.counter = itertools.count()

    def _admin(self, *statements):
        import psycopg

        try:
            with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=3) as conn:
                for sql in statements:
                    conn.execute(sql)
        except psycopg.OperationalError as exc:
            pytest.fail(f"PostgreSQL not reachable at {PG_URL}: {exc}")

    def template_config(self, instance):
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
                    f'CREATE DATABASE "{self.template}"')
        return {"DATABASE_URL": f"{PG_URL}/{self.template}"}

    def finish_template(self, db):
        pass

    def template_ref(self):
        return {"DATABASE_URL": f"{PG_URL}/{self.template}"}

    def clone(self, template_instance, instance):
        name = f"{self.prefix}_{next(self.counter)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return {"DATABASE_URL": f"{PG_URL}/{name}"}

    def drop(self, config):
        name = config["DATABASE_URL"].rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


backend = Postgres() if NAME == "postgresql" else Sqlite()

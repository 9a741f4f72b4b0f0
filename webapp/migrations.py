"""Schema changes after the first release, applied in order by `flask init-db`.

Each migration is a function taking (database, migrator) and is recorded in
the schema_migration table once applied, so it runs exactly once. Add new ones
to MIGRATIONS at the end; never edit one that has shipped.
"""

from datetime import datetime

from peewee import CharField, DateTimeField, IntegerField, Model
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate


def m001_assisted_proposals(db, migrator):
    """Operator-assisted mode (issue #8): proposal.assisted_by, and the table
    of original documents an officer saw (create_tables made it already when
    run by create_schema; kept here so the migration stands on its own)."""
    from .usulan.models import ProposalOriginalSeen

    columns = {c.name for c in db.get_columns("proposal")}
    if "assisted_by" not in columns:
        migrate(migrator.add_column("proposal", "assisted_by", IntegerField(null=True)))
    with ProposalOriginalSeen.bind_ctx(db):
        db.create_tables([ProposalOriginalSeen], safe=True)


def m002_sealed_totp_secrets(db, migrator):
    """Encryption at rest (issue 14): officer_profile.totp_secret becomes a
    text column holding the secret sealed with the installation key."""
    from peewee import TextField

    from . import crypto

    if not isinstance(migrator, SqliteMigrator):
        migrate(migrator.alter_column_type("officer_profile", "totp_secret", TextField()))
    rows = db.execute_sql("SELECT id, totp_secret FROM officer_profile").fetchall()
    for row_id, secret in rows:
        if secret and not secret.startswith("enc:"):
            db.execute_sql("UPDATE officer_profile SET totp_secret = %s WHERE id = %s".replace(
                "%s", db.param), (crypto.seal_text(secret), row_id))


MIGRATIONS = [m001_assisted_proposals, m002_sealed_totp_secrets]


class SchemaMigration(Model):
    name = CharField(primary_key=True)
    applied_at = DateTimeField(default=datetime.now)

    class Meta:
        table_name = "schema_migration"


def _migrator(db):
    from peewee import SqliteDatabase

    db = getattr(db, "obj", db)  # flask_db.database is a proxy
    return SqliteMigrator(db) if isinstance(db, SqliteDatabase) else PostgresqlMigrator(db)


def is_fresh(db):
    return not db.table_exists("schema_migration")


def apply_pending(db, fresh=False):
    """Runs migrations not yet recorded. On a fresh database the tables were
    just created in their latest shape, so every migration is only recorded."""
    with SchemaMigration.bind_ctx(db):
        db.create_tables([SchemaMigration], safe=True)
        done = {m.name for m in SchemaMigration.select()}
        if fresh:
            for fn in MIGRATIONS:
                if fn.__name__ not in done:
                    SchemaMigration.create(name=fn.__name__)
            return
        for fn in MIGRATIONS:
            if fn.__name__ in done:
                continue
            with db.atomic():
                fn(db, _migrator(db))
                SchemaMigration.create(name=fn.__name__)

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


def m002_accounts_without_email(db, migrator):
    """Accounts without e-mail (issue #16): account.email may be NULL, and
    the table of notices shown on the citizen's own pages, and the SMS
    per-number counter."""
    from .akun.models import Notice
    from .delivery.sms import SmsSent

    column = next(c for c in db.get_columns("account") if c.name == "email")
    if not column.null:
        migrate(migrator.drop_not_null("account", "email"))
    with Notice.bind_ctx(db), SmsSent.bind_ctx(db):
        db.create_tables([Notice, SmsSent], safe=True)


MIGRATIONS = [m001_assisted_proposals, m002_accounts_without_email]


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

"""Schema changes after the first release, applied in order by `flask init-db`.

Each migration is a function taking (database, migrator) and is recorded in
the schema_migration table once applied, so it runs exactly once. Add new ones
to MIGRATIONS at the end; never edit one that has shipped.
"""

import click
from flask.cli import with_appcontext
from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DoubleField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from . import clock, crypto
from .db import _after_schema, all_models, flask_db


def _model(table):
    """The registered model of `table`: a migration names tables, never
    imports a feature's model (so the schema layer sits below the features)."""
    return next(m for m in all_models() if m._meta.table_name == table)


def m001_assisted_proposals(db, migrator):
    """Operator-assisted mode (issue #8): proposal.assisted_by, and the table
    of original documents an officer saw (create_tables made it already when
    run by create_schema; kept here so the migration stands on its own)."""
    ProposalOriginalSeen = _model("proposal_original_seen")
    columns = {c.name for c in db.get_columns("proposal")}
    if "assisted_by" not in columns:
        migrate(migrator.add_column("proposal", "assisted_by", IntegerField(null=True)))
    with ProposalOriginalSeen.bind_ctx(db):
        db.create_tables([ProposalOriginalSeen], safe=True)


def m012_program_kinds_and_result_fields(db, migrator):
    """Issue #12: program kinds, the real result's per-person fields
    (keterangan DTSEN, status KPD), a membership's since/keterangan, and the
    desil recorded at the Dinas Sosial home visit."""
    wanted = {
        # Added as a nullable column: making it NOT NULL would make SQLite copy
        # the table, which the enrollments' foreign key refuses. Filled below.
        "program": [("kind", CharField(max_length=12, null=True))],
        "person": [("dtsen_note", CharField(max_length=30, null=True)),
                   ("kpd_status", CharField(max_length=10, null=True))],
        "enrollment": [("since", DateField(null=True)), ("note", CharField(max_length=30, null=True))],
        "stage_record": [("desil", IntegerField(null=True)),
                         ("desil_reason", CharField(max_length=200, null=True))],
    }
    for table, columns in wanted.items():
        have = {c.name for c in db.get_columns(table)}
        ops = [migrator.add_column(table, name, field) for name, field in columns if name not in have]
        if ops:
            migrate(*ops)
    from .registry.programs import seed_programs  # noqa: I001 - the seed is the registry's; a function, not a model

    seed_programs()
    db.execute_sql("UPDATE program SET kind = 'tunai' WHERE kind IS NULL")
    # A membership written with money stages before kinds existed: YA is an
    # active membership, TIDAK an inactive one.
    db.execute_sql("UPDATE enrollment SET stage = CASE WHEN status = 'YA' THEN 'AKTIF' ELSE 'NONAKTIF' END "
                   "WHERE program_code IN (SELECT code FROM program WHERE kind = 'kesehatan') "
                   "AND stage NOT IN ('AKTIF', 'NONAKTIF')")



def m016b_evidence_responses_officers(db, migrator):
    """Issue #16 (second half): objection location and the day-14 mark, the
    Tanggapan Kelayakan responses, officer enrolment links and recovery codes."""
    EligibilityResponse = _model("eligibility_response")
    OfficerEnrolment, RecoveryCode = _model("officer_enrolment"), _model("recovery_code")
    columns = {c.name for c in db.get_columns("objection")}
    wanted = [("latitude", DoubleField(null=True)), ("longitude", DoubleField(null=True)),
              ("location_note", TextField(null=True)), ("decided_auto", BooleanField(default=False))]
    changes = [migrator.add_column("objection", name, column)
               for name, column in wanted if name not in columns]
    if changes:
        migrate(*changes)
    for model in (EligibilityResponse, OfficerEnrolment, RecoveryCode):
        with model.bind_ctx(db):
            db.create_tables([model], safe=True)


def m002_accounts_without_email(db, migrator):
    """Accounts without e-mail (issue #16): account.email may be NULL, and
    the table of notices shown on the citizen's own pages, and the SMS
    per-number counter."""
    Notice, SmsSent = _model("account_notice"), _model("sms_sent")
    column = next(c for c in db.get_columns("account") if c.name == "email")
    if not column.null:
        migrate(migrator.drop_not_null("account", "email"))
    with Notice.bind_ctx(db), SmsSent.bind_ctx(db):
        db.create_tables([Notice, SmsSent], safe=True)


def m002_sealed_totp_secrets(db, migrator):
    """Encryption at rest (issue 14): officer_profile.totp_secret becomes a
    text column holding the secret sealed with the installation key."""
    if not isinstance(migrator, SqliteMigrator):
        migrate(migrator.alter_column_type("officer_profile", "totp_secret", TextField()))
    rows = db.execute_sql("SELECT id, totp_secret FROM officer_profile").fetchall()
    for row_id, secret in rows:
        if secret and not secret.startswith("enc:"):
            db.execute_sql("UPDATE officer_profile SET totp_secret = %s WHERE id = %s".replace(
                "%s", db.param), (crypto.seal_text(secret), row_id))


def m014_sealed_enrolments_mail_imports(db, migrator):
    """Encryption at rest, the rest (issue 14): an enrolment's secret not yet
    confirmed (officer_enrolment.pending_secret becomes a text column), the
    mail outbox and queued import uploads are sealed with the installation
    key. Mail kept in outbox/pending/ is one host's: sealed at that host's
    start (mail.seal_pending_files)."""
    if not isinstance(migrator, SqliteMigrator):
        migrate(migrator.alter_column_type("officer_enrolment", "pending_secret", TextField(null=True)))
    ring = crypto.keyring()
    for table, column, kind in crypto.SEALED_COLUMNS:
        if table != "officer_profile":  # m002 did those
            crypto.reseal_column(db, table, column, kind, ring, only_plain=True)


MIGRATIONS = [m001_assisted_proposals, m012_program_kinds_and_result_fields,
              m016b_evidence_responses_officers, m002_accounts_without_email, m002_sealed_totp_secrets,
              m014_sealed_enrolments_mail_imports]


class SchemaMigration(Model):
    name = CharField(primary_key=True)
    applied_at = DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "schema_migration"


def _migrator(db):
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


def create_schema():
    """Tables of every registered model (safe to repeat), pending migrations,
    then the after_schema hooks (collated indexes, the queue's tables)."""
    db = flask_db.database
    fresh = is_fresh(db)
    with db.atomic():
        db.create_tables(all_models(), safe=True)
    apply_pending(db, fresh=fresh)
    with db.atomic():
        for fn in _after_schema:
            if not getattr(fn, "own_transaction", False):
                fn(db)
    for fn in _after_schema:
        if getattr(fn, "own_transaction", False):
            fn(db)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Membuat tabel (aman diulang) dan menerapkan migrasi yang belum berjalan."""
    create_schema()
    click.echo("Skema basis data siap.")


def init_app(app):
    app.cli.add_command(init_db_command)

"""Sign-ins of different people at the same moment, on PostgreSQL: with one
advisory-lock key for the whole installation (as before issue 18) and with
the lock per object (now). authenticate() checks the password (scrypt)
inside its transaction, so under one key every sign-in of every host waits
for the one before.

    .venv/bin/python -m bench.locks --postgresql postgresql://postgres@127.0.0.1:5432/bench_10m

Makes THREADS synthetic accounts in that database (removed afterwards).
"""

import argparse
import threading
import time
from unittest import mock

from bench.generate import bench_app
from webapp import db as dbmodule
from webapp.akun.models import ACTIVE, Account, LoginThrottle
from webapp.akun.services import authenticate, register_account
from webapp.db import flask_db

PASSWORD = "kuda lari di sawah hijau"  # noqa: S105 - a synthetic account of the benchmark


def _accounts(threads):
    emails = []
    for n in range(threads):
        nik = f"3276060101{80 + n:02d}{n + 1:04d}"
        email = f"bench.lock{n}@example.com"
        Account.delete().where((Account.email == email) | (Account.nik == nik)).execute()
        account = register_account(nik, "3276060101100011", "Warga Bench", "Jl. Bench 1", "001", "001",
                                   "32.76.06.1001", "+6281234567890", email, PASSWORD)
        Account.update(state=ACTIVE).where(Account.id == account.id).execute()
        emails.append(email)
    return emails


def _run(app, emails, rounds):
    barrier = threading.Barrier(len(emails))
    errors = []

    def work(email):
        with app.test_request_context():
            try:
                barrier.wait()
                for _ in range(rounds):
                    assert authenticate(email, PASSWORD).account is not None
            except Exception as exc:  # noqa: BLE001 - reported
                errors.append(repr(exc))
            finally:
                flask_db.database.close()

    threads = [threading.Thread(target=work, args=(e,)) for e in emails]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return time.perf_counter() - began


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postgresql", required=True)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--rounds", type=int, default=10)
    args = p.parse_args(argv)
    app = bench_app("postgresql", args.postgresql)
    with app.test_request_context():
        emails = _accounts(args.threads)
        flask_db.database.close()
    total = args.threads * args.rounds
    with mock.patch.object(dbmodule, "lock_id", lambda key: 0x43656B42):  # the old single key
        one_key = _run(app, emails, args.rounds)
    per_object = _run(app, emails, args.rounds)
    print(f"{total} sign-ins of {args.threads} different accounts at once, {args.threads} threads:")
    print(f"  one key for everything : {one_key:6.2f} s  ({total / one_key:5.1f} sign-ins/s)")
    print(f"  a lock per object      : {per_object:6.2f} s  ({total / per_object:5.1f} sign-ins/s)")
    print(f"  ratio                  : {one_key / per_object:.2f}x")
    with app.app_context():
        ids = [a.id for a in Account.select(Account.id).where(Account.email.in_(emails))]
        Account.delete().where(Account.id.in_(ids)).execute()
        LoginThrottle.delete().execute()
        flask_db.database.close()


if __name__ == "__main__":
    main()

"""The demo organisation seeded once for a whole module, not once per test.

Seeding the demo takes about five seconds; a module of read-only sweeps (every page, every
export, every role) that seeded it for each test spent most of its time doing so. Here it is
seeded once inside a transaction that is rolled back after the module's last test, and each
test still runs in a savepoint of its own (pytest-django's `db`), so what one test changes is
gone before the next. Every test of such a module sees the demo, so a module uses this only if
all its tests are fine with it there. The module's fixture asks for `django_db_setup` too, so
that the test database exists before the seeding (else it would reach the real database).
"""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def demo_for_module(django_db_blocker):
    from qms.core.demo import seed_demo

    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo()
        transaction.set_rollback(True)

"""Schemathesis against the project's own OpenAPI schema: every operation, with generated
valid and invalid input, must never answer 5xx, and every answer must have a documented status
code, content type and a body of the documented shape (issue 9).

How it runs, and why:
- The application is Django's real WSGI stack (middleware, token authentication, routing,
  DRF, the exception handler), called in-process through schemathesis's WSGI transport rather
  than over a socket, so that every request shares the test's database transaction (below).
- The demo organisation (`qms.core.demo.seed_demo`: every role, records in every model) is
  seeded once for the module inside an outer transaction that is rolled back at the end.
- Each operation runs inside its own savepoint (pytest-django's `db`), rolled back after it:
  a DELETE, a workflow step or an update in one operation never takes away the records
  another operation reads. Within one operation the examples share state, so after a
  DELETE's first example the next ones meet 404, a documented answer.
- Path parameters: `org_slug` is the demo organisation's, and a record's `{id}`, `{number}`
  or `{code}` is a real record's, found through the view's own queryset, so detail, update
  and workflow operations reach real objects instead of 404 for every example.
- Who: the quality manager (who may write almost everything) for every operation; an
  auditor and a contributor for every reading operation, where role scoping and audit-scope
  filters change the querysets.
- Bounded and reproducible: a fixed seed, deterministic generation, no shrinking,
  `QMS_FUZZ_EXAMPLES` examples per operation (10 by default; raise it for a deeper local run).
  The coverage phase (boundary values of every field) is off: it multiplies the run time
  several times over and found nothing the fuzzing phase's invalid examples did not.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qms.wsgi import application
from tests.security.openapi import api_schema
from tests.seeded import demo_for_module

EXAMPLES = int(os.environ.get("QMS_FUZZ_EXAMPLES", "10"))
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 9,
        "generation": {
            "max-examples": EXAMPLES,
            "no-shrink": True,
            "deterministic": True,
            # Nothing saved between runs: CI and a laptop run the same examples.
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
LOOKUP_PARAMETERS = ("id", "number", "code")
READERS = ("auditor", "contributor")

schema = schemathesis.openapi.from_dict(api_schema().raw_schema, config=CONFIG)
schema.app = application
hypothesis_settings = settings(
    deadline=None,
    # The module's seeded organisation and each operation's savepoint are deliberately shared
    # by the operation's examples (see the docstring).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organisation with an API token per member, seeded once for the module and
    rolled back after it."""
    # Django closes the connection at the end of a request when it is inside a transaction;
    # Django's own test client disconnects these for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with demo_for_module(django_db_blocker) as context:
            tokens = {
                username: Token.objects.create(user=membership.user).key
                for username, membership in context.members.items()
            }
            yield context, tokens
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


_lookups: dict[tuple[str, str], object] = {}


def real_lookup(path: str, context, username: str):
    """The lookup value (`id`, `number` or `code`) of a record the member can see on this
    detail path, through the view's own queryset; None when there is none."""
    key = (path, username)
    if key not in _lookups:
        concrete = path.replace("{org_slug}", context.organization.slug)
        for name in LOOKUP_PARAMETERS:
            concrete = concrete.replace("{" + name + "}", "1")
        match = resolve(concrete)
        membership = context.members[username]
        view = match.func.cls(**match.func.initkwargs)
        view.request = APIRequestFactory().get(concrete)
        view.request.user = membership.user
        view.kwargs = match.kwargs
        view.action = "retrieve"
        view.format_kwarg = None
        view.organization, view.membership = membership.organization, membership
        record = view.get_queryset().first()
        _lookups[key] = getattr(record, view.lookup_field) if record is not None else None
    return _lookups[key]


def _call(case, context, tokens, username):
    if "org_slug" in (case.path_parameters or {}):
        case.path_parameters["org_slug"] = context.organization.slug
    for name in LOOKUP_PARAMETERS:
        if name in (case.path_parameters or {}):
            value = real_lookup(case.operation.path, context, username)
            if value is not None:
                case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": f"Token {tokens[username]}"}, checks=CHECKS)


@schema.parametrize()
@hypothesis_settings
def test_quality_manager_gets_no_server_error_and_documented_answers(case, demo, db):
    context, tokens = demo
    _call(case, context, tokens, "quality")


@schema.include(method="GET").parametrize()
@hypothesis_settings
def test_readers_get_no_server_error_and_documented_answers(case, demo, db):
    context, tokens = demo
    for username in READERS:
        _call(case, context, tokens, username)

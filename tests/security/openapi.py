"""The project's own OpenAPI schema, for tests that check an answer against what it promises
(status code documented, body of the documented shape): the fuzz test in this folder and the
regular API tests that pin down what the fuzzing found."""

from __future__ import annotations

import functools
import re

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)


@functools.cache
def api_schema():
    """The schema `/api/schema/` serves, generated in-process (no request, no database)."""
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(public=True))


def assert_documented(response, path: str) -> None:
    """Fail unless the Django test `response` (to a request on the schema's `path` template,
    e.g. "/api/v1/organizations/{org_slug}/risks/{id}/") has a documented status code and a
    body that matches the schema."""
    __tracebackhide__ = True
    method = response.request["REQUEST_METHOD"]
    operation = api_schema()[path][method]
    wrapped = Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(
            method, "http://testserver" + response.request["PATH_INFO"]
        ).prepare(),
        elapsed=0.0,
        verify=False,
    )
    # The template's parameters, read back from the path the request went to.
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path))
    match = re.fullmatch(pattern, response.request["PATH_INFO"])
    assert match, f"{response.request['PATH_INFO']} is not an instance of {path}"
    case = operation.Case(path_parameters=match.groupdict())
    case.validate_response(wrapped, checks=[status_code_conformance, response_schema_conformance])

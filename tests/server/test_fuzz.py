"""Schemathesis against the app's OpenAPI document: no input gives a server error.

Driven through Hypothesis directly (schemathesis's pytest plugin does not load on
this pytest), one operation after another, with the teacher's token.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from .conftest import Klass

EXAMPLES = 30  # per operation: 13 operations, two databases, well under a minute


def test_no_server_errors(klass: Klass) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", klass.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same examples each run: a failure is reproducible
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            if "class_id" in (case.path_parameters or {}):
                case.path_parameters["class_id"] = klass.made.class_id  # reach past the 404
            if case.operation.path.endswith("/events"):
                case.query = {**(case.query or {}), "seconds": 0}  # a stream, not a wait
            case.call_and_validate(headers=klass.teacher, checks=[not_a_server_error])

        call()

"""Contract fuzzing: schemathesis over openapi.json against the in-process sandbox, seeded."""

from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spectrum_cli.api.auth import ALL_SCOPES
from spectrum_cli.client import SpectrumClient
from spectrum_cli.sandbox.app import create_app
from spectrum_cli.sandbox.embedded import EmbeddedTransport

_store = Path(tempfile.mkdtemp(prefix="spectrum-fuzz-")) / "sandbox.db"
app = create_app(_store, allowed_hosts=["testserver"])  # the host name the ASGI calls use
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
schema.config.seed = 20261126  # type: ignore[misc]

# Routes that would end the fuzzing session itself (reset, logout, clock jumps, injected
# faults) are exercised by their own tests instead.
fuzzed = schema.exclude(path_regex=r"^/v1/sandbox/(reset|faults|clock)$").exclude(
    path="/v1/auth/logout"
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _bearer() -> dict[str, str]:
    with SpectrumClient("http://sandbox.embedded", transport=EmbeddedTransport(app)) as client:
        session = client.auth.login("harper", "Sandbox-Harper1").session
        assert session is not None
        token = client.auth.create_token("fuzz", list(ALL_SCOPES), 366).token
    return {"Authorization": f"Bearer {token}", "Sandbox-Key": app.state.keys.admin}


BEARER = _bearer()
BEARER_TOKEN = BEARER["Authorization"].removeprefix("Bearer ")


def _snapshot() -> sqlite3.Connection:
    """The store as fuzzing starts (seeded, the fuzz token in it), kept in memory."""
    snapshot = sqlite3.connect(":memory:")
    with closing(sqlite3.connect(_store)) as live:
        live.backup(snapshot)
    return snapshot


SEEDED = _snapshot()


@pytest.fixture(scope="module")
def bearer() -> dict[str, str]:
    return BEARER


@fuzzed.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_contract(case: schemathesis.Case, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)


# Stateful: schemathesis infers links (create a ticket, then show, reply and close it; add a
# payment method, then make it the default; pay, then cancel ...) and walks them.
Workflow = fuzzed.as_state_machine()


class ContractWorkflow(Workflow):  # type: ignore[misc,valid-type]
    def setup(self) -> None:
        """Every scenario starts from the same store. Hypothesis checks that the same choices
        draw the same way; which links can be followed next depends on the status codes
        answered so far, so a store carrying what earlier scenarios left (paid statements,
        used-up rate windows, locks) made one choice prefix draw differently later on, and
        Hypothesis stopped with FlakyStrategyDefinition."""
        with closing(sqlite3.connect(_store)) as live:
            SEEDED.backup(live)

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
        return {"headers": BEARER}

    def validate_response(
        self, response: object, case: schemathesis.Case, **kwargs: object
    ) -> None:
        case.validate_response(response, checks=CHECKS)  # type: ignore[arg-type]


ContractWorkflow.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
test_api_workflows_conform_to_the_contract = ContractWorkflow.TestCase


def test_each_workflow_scenario_starts_from_the_seeded_store() -> None:
    with SpectrumClient(
        "http://sandbox.embedded", transport=EmbeddedTransport(app), token=BEARER_TOKEN
    ) as client:
        ContractWorkflow()  # whatever tests before this one left behind is gone
        seeded = [t.id for t in client.support.tickets().data]
        left = client.support.create_ticket("Left by a scenario", "other", "Nothing else.")
        assert left.id not in seeded
        ContractWorkflow()  # a new scenario
        assert [t.id for t in client.support.tickets().data] == seeded

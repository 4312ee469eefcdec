"""The client's request loop against injected faults on a served sandbox. No real backoff."""

from __future__ import annotations

import socket

import httpx
import pytest

from spectrum_cli.api.sandbox import FaultRule
from spectrum_cli.client import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    SpectrumClient,
)
from tests.helpers import ServedSandbox, SleepRecorder

RESET = "/v1/recovery/password"


def _reset_request(client: SpectrumClient) -> httpx.Response:
    return client.request("POST", RESET, json={"username": "pat"}, authenticated=False)


def _codes_sent(client: SpectrumClient) -> int:
    return len(client.sandbox.outbox(to="pat@example.org", limit=100).data)


def _fault(client: SpectrumClient, **rule: object) -> None:
    client.sandbox.set_faults([FaultRule(**rule)])  # type: ignore[arg-type]


def test_503_burst_is_retried_with_backoff(
    served_client: SpectrumClient, sleeps: SleepRecorder
) -> None:
    _fault(served_client, path=RESET, kind="error", status=503, times=2)
    assert _reset_request(served_client).status_code == 202
    assert _codes_sent(served_client) == 1
    assert len(sleeps.calls) == 2
    assert 0.375 <= sleeps.calls[0] <= 0.5 and 0.75 <= sleeps.calls[1] <= 1.0


def test_503_beyond_the_retry_budget_raises_with_the_request_id(
    served_client: SpectrumClient, sleeps: SleepRecorder
) -> None:
    _fault(served_client, path=RESET, kind="error", status=503, times=3)
    with pytest.raises(InternalServerError) as failed:
        _reset_request(served_client)
    assert failed.value.status == 503 and failed.value.code == "injected_fault"
    assert failed.value.request_id and failed.value.request_id.startswith("req_")
    assert len(sleeps.calls) == 2
    assert _codes_sent(served_client) == 0


def test_429_waits_for_retry_after(served_client: SpectrumClient, sleeps: SleepRecorder) -> None:
    _fault(served_client, path=RESET, kind="rate_limit", retry_after=7, times=1)
    assert _reset_request(served_client).status_code == 202
    assert sleeps.calls == [7.0]


def test_429_past_the_budget_is_a_rate_limit_error(served_client: SpectrumClient) -> None:
    _fault(served_client, path="/v1/account", kind="rate_limit", retry_after=1, times=None)
    served_client.auth.login("pat", "Sandbox-Pat1")
    with pytest.raises(RateLimitError):
        served_client.account.summary()


@pytest.mark.parametrize("kind", ["drop_before", "drop_after"])
def test_dropped_connection_is_retried_with_the_same_key_and_acts_once(
    served_client: SpectrumClient, sleeps: SleepRecorder, kind: str
) -> None:
    _fault(served_client, path=RESET, kind=kind, times=1)
    response = _reset_request(served_client)
    assert response.status_code == 202
    assert len(sleeps.calls) == 1
    assert _codes_sent(served_client) == 1
    if kind == "drop_after":  # the retry got the stored answer of the first attempt
        assert response.headers["Idempotent-Replayed"] == "true"


def test_slow_reply_past_the_timeout_is_retried_and_acts_once(
    fresh_served: ServedSandbox, sleeps: SleepRecorder
) -> None:
    with SpectrumClient(
        fresh_served.url,
        sandbox_key=fresh_served.admin_key,
        timeout=0.5,
        max_retries=4,
        sleep=lambda s: sleeps(s) or __import__("time").sleep(0.3),
    ) as client:
        _fault(client, path=RESET, kind="delay", delay_ms=1200, times=1)
        response = _reset_request(client)
        assert response.status_code == 202
        assert _codes_sent(client) == 1


def test_secret_bearing_reply_lost_after_commit_is_not_retried(
    served_client: SpectrumClient, sleeps: SleepRecorder
) -> None:
    served_client.auth.login("pat", "Sandbox-Pat1")
    _fault(served_client, method="POST", path="/v1/auth/tokens", kind="drop_after", times=1)
    with pytest.raises(APIConnectionError):
        served_client.auth.create_token("ci", ["account:read"])
    assert sleeps.calls == []
    # The outcome was unknown to the client; the list says what happened.
    assert len(served_client.auth.list_tokens().data) == 1


def test_timeouts_raise_api_timeout_error(fresh_served: ServedSandbox) -> None:
    with SpectrumClient(
        fresh_served.url,
        timeout=0.3,
        max_retries=1,
        sleep=lambda s: None,
        sandbox_key=fresh_served.admin_key,
    ) as client:
        _fault(client, path="/v1/auth/whoami", kind="delay", delay_ms=800, times=None)
        client.token = "spk_not-a-real-token-but-long-enough"
        with pytest.raises(APITimeoutError):
            client.auth.whoami()
        client.sandbox.clear_faults()


def test_unreachable_service_raises_connection_error_after_retries(sleeps: SleepRecorder) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        with SpectrumClient(f"http://127.0.0.1:{port}", sleep=sleeps) as client:
            with pytest.raises(APIConnectionError) as down:
                client.sandbox.clock()
    assert f"127.0.0.1:{port}" in str(down.value)
    assert len(sleeps.calls) == 2

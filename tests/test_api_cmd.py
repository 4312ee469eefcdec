"""`spectrum api` in-process against the embedded sandbox, the client's path rule, and
`bill pay --dry-run` against what a loopback server actually receives."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ServedSandbox, isolated_env, sandbox_home, spectrum


def _api(env: dict[str, str], *args: str, input: str | None = None) -> Any:
    return spectrum(list(args), env, input=input, in_process=True)


def _data(env: dict[str, str], *args: str) -> Any:
    result = _api(env, "-o", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def home(tmp_path: Path, template_store: Path) -> dict[str, str]:
    """An isolated environment whose built-in sandbox store is a copy of the seeded one."""
    env = sandbox_home(tmp_path / "home", template_store)
    return env


@pytest.fixture
def env(home: dict[str, str]) -> dict[str, str]:
    """Signed in as harper to the built-in sandbox."""
    login = ["login", "--username", "harper", "--password-stdin", "--store", "file"]
    result = _api(home, *login, input="Sandbox-Harper1\n")
    assert result.returncode == 0, result.stderr
    return home


def test_get_prints_the_answer_through_the_sink(env: dict[str, str]) -> None:
    account = _data(env, "api", "/v1/account")
    assert account["account_number_masked"].endswith("6755")
    ids = _api(env, "-o", "text", "--query", "data[].id", "api", "/v1/payments?limit=2")
    assert ids.returncode == 0, ids.stderr
    assert len(ids.stdout.split()) == 2 and all(i.startswith("pay_") for i in ids.stdout.split())
    first = _api(env, "-o", "text", "--query", "data[0].id", "api", "v1/statements")
    assert re.fullmatch(r"st_[a-z0-9_]+\n", first.stdout), first.stdout  # raw, not quoted


def test_fields_are_the_query_of_a_get(env: dict[str, str]) -> None:
    page = _data(env, "api", "GET", "/v1/statements", "-F", "limit=3")
    assert len(page["data"]) == 3 and page["has_more"] is True


def test_paginate_gathers_every_page_into_one(env: dict[str, str]) -> None:
    every = _data(env, "api", "/v1/statements?limit=100")["data"]
    paged = _data(env, "api", "/v1/statements?limit=5", "--paginate")
    assert paged["has_more"] is False and len(every) > 10
    assert [s["id"] for s in paged["data"]] == [s["id"] for s in every]


def test_csv_of_a_page_is_one_row_per_item(env: dict[str, str]) -> None:
    every = _data(env, "api", "/v1/statements", "--paginate")["data"]
    result = _api(env, "-o", "csv", "api", "/v1/statements?limit=4", "--paginate")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [s["id"] for s in every]
    assert rows[0]["total_cents"] == str(every[0]["total_cents"]) and "total" in rows[0]


def test_post_sends_fields_as_json_and_a_key_pays_once(env: dict[str, str]) -> None:
    before = len(_data(env, "api", "/v1/payments?limit=100")["data"])
    args = ["api", "/v1/payments", "-F", "amount_cents=500", "--idempotency-key", "api-once-1"]
    paid = _data(env, *args)
    again = _data(env, *args)
    assert paid["amount_cents"] == 500 and paid["status"] in ("succeeded", "processing")
    assert again["id"] == paid["id"]
    assert len(_data(env, "api", "/v1/payments?limit=100")["data"]) == before + 1


def test_a_retry_after_a_lost_answer_reuses_the_idempotency_key(env: dict[str, str]) -> None:
    """The first POST runs but its answer is lost; the client's retry carries the same key,
    so the server answers with the stored payment instead of paying again."""
    rules = {"faults": [{"method": "POST", "path": "/v1/payments", "kind": "drop_after"}]}
    faults = Path(env["HOME"]) / "faults.json"
    faults.write_text(json.dumps(rules))
    assert _api(env, "api", "PUT", "/v1/sandbox/faults", "--input", str(faults)).returncode == 0
    before = len(_data(env, "api", "/v1/payments?limit=100")["data"])
    result = _api(env, "-v", "-o", "json", "api", "POST", "/v1/payments", "-F", "amount_cents=700")
    assert result.returncode == 0, result.stderr
    keys = re.findall(r"→ POST /v1/payments .*'idempotency-key': '([^']+)'", result.stderr)
    assert len(keys) == 2 and keys[0] == keys[1], result.stderr
    assert json.loads(result.stdout)["amount_cents"] == 700
    assert len(_data(env, "api", "/v1/payments?limit=100")["data"]) == before + 1


@pytest.mark.parametrize(
    "path",
    [
        "http://evil.example/v1/account",
        "https:/v1/account",
        "//evil.example/v1/account",
        "/v1/../v1/account",
        "/v1/statements/%2E%2e/account",
        "/v1/./account",
        "/v1\\account",
    ],
)
def test_a_path_outside_the_api_is_refused_before_sending(env: dict[str, str], path: str) -> None:
    result = _api(env, "-v", "api", path)
    assert result.returncode == 2 and "Not an API path" in result.stderr
    assert "→" not in result.stderr and result.stdout == ""


def test_the_client_sends_nowhere_but_under_its_base_url(client: Any) -> None:
    from spectrum_cli.client import InvalidPathError

    for path in ("http://evil.example/x", "//evil.example/x", "/v1/../x", "/v1/x?y=1", "v1/x"):
        with pytest.raises(InvalidPathError):
            client.request("GET", path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-H", "Authorization: Bearer sat_stolen_token_value"], "-H Authorization: not allowed"),
        (["-H", "sandbox-key: x"], "-H sandbox-key: not allowed"),
        (["-H", "X-Thing: a\x01b"], "'Name: value'"),
        (["-f", "password=hunter2hunter2"], "would put a secret on the command line"),
        (["-F", "card[number]=4242424242424242"], "would put a secret on the command line"),
        (["POST", "--idempotency-key", ""], "--idempotency-key cannot be empty"),
        (["--paginate", "-F", "x=1"], "--paginate reads JSON pages with GET"),
    ],
)
def test_refused_options_are_exit_2(env: dict[str, str], args: list[str], message: str) -> None:
    words = [a for a in args if a == "POST"]
    rest = [a for a in args if a != "POST"]
    result = _api(env, "api", *words, "/v1/account", *rest)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_error_statuses_map_to_exit_codes(home: dict[str, str], env: dict[str, str]) -> None:
    missing = _api(env, "api", "/v1/payments/pay_nope")
    assert missing.returncode == 5 and "Error: No such payment." in missing.stderr
    assert "[request req_" in missing.stderr and missing.stdout == ""
    assert _api(env, "api", "DELETE", "/v1/payment-methods/pm_nope").returncode == 5
    assert _api(env, "logout").returncode == 0
    signed_out = _api(home, "api", "/v1/account")
    assert signed_out.returncode == 3 and "Error: " in signed_out.stderr


def test_an_answer_that_is_not_json_needs_output_file(env: dict[str, str], tmp_path: Path) -> None:
    refused = _api(env, "api", "/v1/statements/latest/pdf")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "application/pdf" in refused.stderr and "--output-file" in refused.stderr
    target = tmp_path / "bill.pdf"
    saved = _api(env, "api", "/v1/statements/latest/pdf", "--output-file", str(target))
    assert saved.returncode == 0 and saved.stdout == ""
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_mode & 0o077 == 0


# The dry run against the wire: a loopback server records each request as it arrives, then
# hands it to the served sandbox, so the payment is real.


class _Recorder(BaseHTTPRequestHandler):
    upstream: str
    seen: list[tuple[str, str, list[tuple[str, str]], bytes]]

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, self.path, list(self.headers.items()), body))
        forwarded = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        answer = httpx.request(
            self.command, self.upstream + self.path, headers=forwarded, content=body, timeout=60
        )
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-length", "content-encoding", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _relay

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder(fresh_served: ServedSandbox) -> Iterator[tuple[str, list[Any]]]:
    seen: list[Any] = []
    handler = type("Handler", (_Recorder,), {"upstream": fresh_served.url, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_dry_run_is_the_request_the_server_receives(
    recorder: tuple[str, list[Any]], tmp_path: Path
) -> None:
    url, seen = recorder
    env = isolated_env(tmp_path / "proxied", SPECTRUM_API_URL=url)
    login = ["login", "--username", "harper", "--password-stdin", "--store", "file"]
    assert _api(env, *login, input="Sandbox-Harper1\n").returncode == 0
    pay = ["bill", "pay", "--amount", "12.34", "--idempotency-key", "dry-run-match-1"]
    dry = _api(env, "-o", "json", *pay, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert not [s for s in seen if s[0] == "POST" and s[1] == "/v1/payments"]  # nothing sent
    shown = json.loads(dry.stdout)
    assert _api(env, *pay, "--yes").returncode == 0
    sent = [s for s in seen if s[0] == "POST" and s[1] == "/v1/payments"]
    assert len(sent) == 1
    _, path, headers, body = sent[0]
    assert shown["method"] == "POST" and shown["url"] == url + path
    assert shown["body"].encode() == body
    received = {k.lower(): v for k, v in headers if k.lower() != "authorization"}
    assert {k.lower(): v for k, v in shown["headers"].items()} == received
    assert received["idempotency-key"] == "dry-run-match-1"
    assert "authorization" in {k.lower() for k, _ in headers}  # sent for real, never shown
    assert "Bearer" not in dry.stdout


def test_prepare_sends_nothing_and_holds_no_credentials(client: Any) -> None:
    client.auth.login("harper", "Sandbox-Harper1")
    before = len(client.payments.list(limit=100).data)
    prepared = client.prepare(lambda: client.payments.create(1000, idempotency_key="p-1"))
    assert prepared.method == "POST" and prepared.url.endswith("/v1/payments")
    names = {name.lower() for name, _ in prepared.headers}
    assert "authorization" not in names and ("Idempotency-Key", "p-1") in prepared.headers
    assert json.loads(prepared.content)["amount_cents"] == 1000
    assert len(client.payments.list(limit=100).data) == before
    assert client.payments.create(1000, idempotency_key="p-1").amount_cents == 1000  # sends again


def test_verbose_log_redacts_a_long_body_before_cutting_it(home: dict[str, str]) -> None:
    secret = "Hunter2-Secret-Value-0"
    head = '{"username":"harper","pad":"'
    pad = "x" * (1990 - len(head) - len('","password":"'))
    body = Path(home["HOME"]) / "login.json"
    body.write_text(f'{head}{pad}","password":"{secret}"}}')
    assert body.read_text().index(secret) < 2000 < body.read_text().index(secret) + len(secret)
    result = _api(home, "-v", "api", "POST", "/v1/auth/login", "--input", str(body))
    assert "→ POST /v1/auth/login" in result.stderr
    assert secret[:8] not in result.stderr + result.stdout

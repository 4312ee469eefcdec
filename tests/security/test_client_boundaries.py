"""The client's side of the trust boundary: what it sends, where, and what it shows.

Ids become path segments only in their own shape; credentials never cross plain http to
another machine; child processes get no credentials; numbers are ASCII digits; text from the
server reaches a terminal without control characters.
"""

from __future__ import annotations

import json
import os
import re
import socket
import string
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from spectrum_cli.api import routes
from spectrum_cli.client import (
    InsecureConnectionError,
    InvalidIdError,
    InvalidRequestError,
    SpectrumClient,
)
from spectrum_cli.client._client import is_loopback
from spectrum_cli.sandbox.embedded import EmbeddedTransport
from tests.helpers import REPO, SPECTRUM, ServedSandbox, isolated_env, spectrum, start_spectrum

HARPER = ("harper", "Sandbox-Harper1")
ALL_SCOPES = ["account:read", "billing:read", "payments:write", "autopay:write", "support:write"]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Recording(httpx.BaseTransport):
    """Passes requests on to the in-process sandbox and keeps a list of what was sent."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)


class NoNetwork(httpx.HTTPTransport):
    """httpx's network transport, except that it records instead of connecting."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        raise httpx.ConnectError("no network in this test", request=request)


@pytest.fixture
def watched(sandbox_app: Any, sleeps: Any) -> Iterator[tuple[SpectrumClient, Recording]]:
    """Harper's client against the in-process sandbox, with the requests it sends."""
    transport = Recording(EmbeddedTransport(sandbox_app))
    with SpectrumClient("http://sandbox.embedded", transport=transport, sleep=sleeps) as client:
        client.auth.login(*HARPER)
        transport.sent.clear()
        yield client, transport


# 1. Path ids

HOSTILE_IDS = [
    "../x",
    "x/../../y",
    "%2e%2e%2f",
    "..",
    "?",
    "#",
    "latest?x=1",
    "st_0000_000000#frag",
    "pay_1?x=1",
    "tok_ab/../cd",
    "",
    " ",
    " tok_1",
    "\t",
    "\n",
    "\x00",
    "\x1b[31m",
    "tok_\u202e",
    "pm_\u0664\u0662",
    "LATEST",
    "a" * 10_000,
]

# Every route template that takes an id, and a client call that fills it.
ID_ROUTES: dict[str, Callable[[SpectrumClient, str], Any]] = {
    routes.TOKEN: lambda c, i: c.auth.revoke_token(i),
    routes.STATEMENT: lambda c, i: c.statements.get(i),
    routes.STATEMENT_PDF: lambda c, i: c.statements.pdf(i),
    routes.PAYMENT: lambda c, i: c.payments.get(i),
    routes.PAYMENT_CANCEL: lambda c, i: c.payments.cancel(i),
    routes.PAYMENT_METHOD: lambda c, i: c.payment_methods.remove(i),
    routes.PAYMENT_METHOD_DEFAULT: lambda c, i: c.payment_methods.set_default(i),
    routes.FAQ_ARTICLE: lambda c, i: c.support.faq_article(i),
    routes.TICKET: lambda c, i: c.support.ticket(i),
    routes.TICKET_MESSAGES: lambda c, i: c.support.reply(i, "hello"),
    routes.TICKET_CLOSE: lambda c, i: c.support.close(i),
    routes.CHAT_MESSAGES: lambda c, i: c.support.say(i, "hello"),
    routes.EQUIPMENT_RESTART: lambda c, i: c.equipment.restart(i),
}


def _templates_with_ids() -> set[str]:
    return {
        value
        for name, value in vars(routes).items()
        if name.isupper() and isinstance(value, str) and "{" in value
    }


def test_every_id_route_has_a_shape_and_a_test() -> None:
    templates = _templates_with_ids()
    assert templates == set(ID_ROUTES)
    placeholders = {n for t in templates for _, n, _, _ in string.Formatter().parse(t) if n}
    assert placeholders == set(routes.ID_SHAPES)


def test_no_resource_builds_a_path_itself() -> None:
    resources = REPO / "spectrum_cli" / "client" / "resources"
    for module in resources.glob("*.py"):
        if module.name != "_paths.py":
            assert ".format(" not in module.read_text(encoding="utf-8"), module.name


@pytest.mark.parametrize("template", sorted(ID_ROUTES))
def test_hostile_ids_are_refused_before_any_request(
    template: str, watched: tuple[SpectrumClient, Recording]
) -> None:
    client, transport = watched
    for value in HOSTILE_IDS:
        with pytest.raises(InvalidIdError) as refused:
            ID_ROUTES[template](client, value)
        assert isinstance(refused.value, ValueError)
        message = str(refused.value)
        assert not CONTROL.search(message) and len(message) < 200, repr(message)
    assert transport.sent == []


def test_an_id_cannot_reach_another_route(watched: tuple[SpectrumClient, Recording]) -> None:
    client, transport = watched
    token = client.auth.create_token("ci", ["account:read"])
    methods = client.payment_methods.list().data
    spare = client.payment_methods.add_card("4242424242424242", 12, 2031)
    default = next(m.id for m in client.payment_methods.list().data if m.is_default)
    transport.sent.clear()

    with pytest.raises(InvalidIdError):
        client.payment_methods.remove(f"../auth/tokens/{token.id}")
    with pytest.raises(InvalidIdError):
        client.payments.cancel(f"../payment-methods/{spare.id}/default?")
    with pytest.raises(InvalidIdError):
        client.statements.get(f"../payments/{methods[0].id}")

    assert transport.sent == []
    assert next(m.id for m in client.payment_methods.list().data if m.is_default) == default
    # Ids of the right shape, and the `latest` alias, still reach their own route.
    transport.sent.clear()
    latest = client.statements.get("latest")
    assert client.statements.get(latest.id).id == latest.id
    assert client.support.faq_article("faq_late_fee").id == "faq_late_fee"
    assert [r.url.path for r in transport.sent] == [
        "/v1/statements/latest",
        f"/v1/statements/{latest.id}",
        "/v1/support/faq/faq_late_fee",
    ]
    # Last: closing this client closes the shared in-process transport.
    with SpectrumClient(
        "http://sandbox.embedded", token=token.token, transport=transport.inner
    ) as scoped:
        assert scoped.auth.whoami().token_id == token.id


# Malformed ids as they would arrive from a client that does not check them.
RAW_IDS = [
    "..%2Fx",
    "x%2F..%2F..%2Fy",
    "%2e%2e",
    "%2e%2e%2f",
    "..%2f..%2fauth%2ftokens",
    "",
    "%20",
    "%09",
    "%0a",
    "%0d",
    "%00",
    "%1b%5b31m",
    "%3Fx%3D1",
    "%23frag",
    "%C2%85",
    "a" * 10_000,
]
UNKNOWN_ID = {
    "token_id": "tok_0000000000000000",
    "statement_id": "st_0000_000000",
    "payment_id": "pay_0000000000000000",
    "method_id": "pm_0000000000000000",
    "article_id": "faq_nothing_here",
    "ticket_id": "tkt_0000000000000000",
    "chat_id": "chat_0000000000000000",
    "equipment_id": "eq_0000_0",
}
METHODS = {
    routes.TOKEN: "DELETE",
    routes.PAYMENT_METHOD: "DELETE",
    routes.PAYMENT_CANCEL: "POST",
    routes.PAYMENT_METHOD_DEFAULT: "POST",
    routes.TICKET_MESSAGES: "POST",
    routes.TICKET_CLOSE: "POST",
    routes.CHAT_MESSAGES: "POST",
    routes.EQUIPMENT_RESTART: "POST",
}


def test_the_server_answers_a_malformed_id_as_an_unknown_one(sandbox_app: Any) -> None:
    with httpx.Client(
        base_url="http://sandbox.embedded", transport=EmbeddedTransport(sandbox_app)
    ) as raw:
        login = raw.post(routes.LOGIN, json={"username": HARPER[0], "password": HARPER[1]})
        headers = {"Authorization": f"Bearer {login.json()['session']['access_token']}"}
        for template in sorted(ID_ROUTES):
            name = next(n for _, n, _, _ in string.Formatter().parse(template) if n)
            method = METHODS.get(template, "GET")
            body = {"body": "hello"} if template.endswith("/messages") else None

            def send(
                value: str,
                method: str = method,
                template: str = template,
                name: str = name,
                body: Any = body,
            ) -> Any:
                url = template.replace("{" + name + "}", value)
                return raw.request(method, url, headers=headers, json=body)

            unknown = send(UNKNOWN_ID[name])
            assert unknown.status_code == 404, (template, unknown.text)
            for value in RAW_IDS:
                answer = send(value)
                assert answer.status_code == 404, (template, value[:20], answer.status_code)
                assert answer.json()["error"]["type"] == "not_found"
                assert "location" not in answer.headers


@pytest.fixture
def api_token(fresh_served: ServedSandbox) -> str:
    with SpectrumClient(fresh_served.url) as client:
        client.auth.login(*HARPER)
        return client.auth.create_token("tests", ALL_SCOPES).token  # type: ignore[arg-type]


@pytest.fixture
def run_cli(tmp_path: Path, fresh_served: ServedSandbox, api_token: str) -> Callable[..., Any]:
    """`spectrum ARGS` in-process with harper's API token against the served sandbox."""
    from spectrum_cli.cli.main import app

    env = {
        "SPECTRUM_TOKEN": api_token,
        "SPECTRUM_API_URL": fresh_served.url,
        "SPECTRUM_CONFIG_DIR": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "SPECTRUM_PROFILE": None,
        "SPECTRUM_OUTPUT": None,
        "VISUAL": None,
        "EDITOR": None,
    }

    def invoke(*args: str, input: str | None = None, **extra: str | None) -> Any:
        return CliRunner().invoke(app, list(args), input=input, env={**env, **extra})

    return invoke


def test_the_cli_refuses_hostile_ids_with_exit_2(run_cli: Any, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("hello\n")
    commands = [
        ["auth", "token", "revoke", "{}", "--yes"],
        ["bill", "show", "{}"],
        ["bill", "explain", "{}"],
        ["bill", "download", "{}", "--dir", str(tmp_path)],
        ["payments", "show", "{}"],
        ["payments", "cancel", "{}", "--yes"],
        ["payment-methods", "remove", "{}", "--yes"],
        ["payment-methods", "default", "{}"],
        ["support", "faq", "show", "{}"],
        ["support", "ticket", "show", "{}"],
        ["support", "ticket", "reply", "{}", "--body-file", str(body)],
        ["support", "ticket", "close", "{}", "--yes"],
        ["equipment", "restart", "{}"],
    ]
    values = ["../x", "x/../../y", "%2e%2e%2f", "latest?x=1", "st_x#frag", "", " ", "\x1b[31m"]
    for command in commands:
        for value in [*values, "a" * 10_000]:
            args = [value if a == "{}" else a for a in command]
            result = run_cli(*args)
            where = f"{' '.join(command)} with {value[:12]!r}"
            assert result.exit_code == 2, (where, result.stderr)
            errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
            assert len(errors) == 1 and "id" in errors[0], (where, result.stderr)
            assert len(result.stderr) < 400 and "\x1b" not in result.stderr, where
            assert "Traceback" not in result.stderr


def test_a_path_trick_on_the_command_line_touches_nothing(
    harper_env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    with SpectrumClient(fresh_served.url) as client:
        client.auth.login(*HARPER)
        token = client.auth.create_token("cron", ["account:read"])
        spare = client.payment_methods.add_card("4242424242424242", 12, 2031)
        default = next(m.id for m in client.payment_methods.list().data if m.is_default)

        revoke = spectrum(
            ["payment-methods", "remove", f"../auth/tokens/{token.id}", "--yes"], harper_env
        )
        assert revoke.returncode == 2 and "Not a valid payment method id" in revoke.stderr
        cancel = spectrum(
            ["payments", "cancel", f"../payment-methods/{spare.id}/default?", "--yes"], harper_env
        )
        assert cancel.returncode == 2, cancel.stderr

        assert next(m.id for m in client.payment_methods.list().data if m.is_default) == default
    with SpectrumClient(fresh_served.url, token=token.token) as scoped:
        assert scoped.auth.whoami().token_id == token.id


# 2. No credentials over plain http to another machine


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.10.20.30", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        # Names DNS may answer for: a resolver can point them anywhere.
        ("localhost.", False),
        ("api.localhost", False),
        ("128.0.0.1", False),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.test", False),
        ("127.0.0.1.example.test", False),
        ("localhost.example.test", False),
        ("::ffff:8.8.8.8", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _cleartext_calls() -> dict[str, Callable[[SpectrumClient], Any]]:
    return {
        "bearer": lambda c: c.account.summary(),
        "login": lambda c: c.auth.login(*HARPER),
        "mfa": lambda c: c.auth.verify_code("mfa_0000000000000000", "123456"),
        "reset": lambda c: c.recovery.confirm_password_reset("harper", "123456", "New-Pass1"),
        "password": lambda c: c.profile.change_password("Sandbox-Harper1", "New-Pass1"),
        "refresh": lambda c: c.auth.refresh(),
    }


@pytest.mark.parametrize("call", sorted(_cleartext_calls()))
def test_no_secret_goes_over_plain_http_to_another_host(call: str, sleeps: Any) -> None:
    from spectrum_cli.api.auth import Session

    network = NoNetwork()
    session = Session.model_validate(
        {
            "access_token": "acc_secret",
            "refresh_token": "ref_secret",
            "expires_at": "2030-01-01T00:00:00Z",
            "refresh_expires_at": "2030-01-30T00:00:00Z",
            "username": "harper",
            "role": "head_of_household",
        }
    )
    with SpectrumClient(
        "http://example.test", session=session, transport=network, sleep=sleeps
    ) as client:
        with pytest.raises(InsecureConnectionError) as refused:
            _cleartext_calls()[call](client)
    assert "https" in str(refused.value)
    assert network.sent == []


def test_plain_http_without_credentials_is_still_sent(sleeps: Any) -> None:
    network = NoNetwork()
    with SpectrumClient("http://example.test", transport=network, sleep=sleeps) as client:
        with pytest.raises(InsecureConnectionError):
            client.auth.login(*HARPER)
        assert network.sent == []
        with pytest.raises(Exception) as failed:
            client.support.search_faq("late fee")
    assert not isinstance(failed.value, InsecureConnectionError)
    assert network.sent and "authorization" not in network.sent[0].headers


def _offline() -> list[str]:
    """A prefix that runs a command without any network (a new, empty network namespace)."""
    from tests.helpers import require_tool

    unshare = require_tool("unshare")
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    if os.environ.get("CI") == "true":
        pytest.fail("unshare cannot create a network namespace here")
    pytest.skip("unshare cannot create a network namespace here")


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["account", "show"], None),
        (["login", "--username", "harper", "--password-stdin", "--store", "file"], "Pass-word1\n"),
    ],
)
def test_the_cli_refuses_plain_http_to_another_host(
    args: list[str], stdin: str | None, tmp_path: Path
) -> None:
    env = isolated_env(
        tmp_path, SPECTRUM_API_URL="http://example.test", SPECTRUM_TOKEN="spk_not_a_real_token"
    )
    if stdin is not None:
        del env["SPECTRUM_TOKEN"]
    result = subprocess.run(
        [*_offline(), *SPECTRUM, *args],
        input=stdin,
        stdin=None if stdin else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "plain http://" in result.stderr and "https://" in result.stderr
    assert "spk_not_a_real_token" not in result.stderr + result.stdout


@pytest.fixture
def loopback_listener() -> Iterator[tuple[str, list[bytes]]]:
    """A socket on 127.0.0.1 that records what it is sent and hangs up."""
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                received.append(conn.recv(65536))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    server.close()
    thread.join(5)


def test_a_proxy_from_the_environment_never_carries_loopback_traffic(
    monkeypatch: pytest.MonkeyPatch,
    loopback_listener: tuple[str, list[bytes]],
    fresh_served: ServedSandbox,
    sleeps: Any,
) -> None:
    proxy, received = loopback_listener
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    with SpectrumClient(fresh_served.url, sleep=sleeps, timeout=10) as client:
        client.auth.login(*HARPER)
        assert client.account.summary().balance_cents >= 0
    assert received == []


# 3. The editor gets no credentials


def test_the_editor_runs_without_credentials(
    tmp_path: Path, fresh_served: ServedSandbox, api_token: str
) -> None:
    dump = tmp_path / "editor-env.json"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, os, sys\n"
        f"open({str(dump)!r}, 'w').write(json.dumps(dict(os.environ)))\n"
        "open(sys.argv[1], 'w').write('The modem blinks orange.\\n')\n"
    )
    env = isolated_env(
        tmp_path / "home",
        SPECTRUM_API_URL=fresh_served.url,
        SPECTRUM_TOKEN=api_token,
        EDITOR=f"{sys.executable} {editor}",
    )
    import pty

    controller, terminal = pty.openpty()  # stdin must be a terminal for the editor to open
    try:
        process = start_spectrum(
            ["support", "ticket", "create", "--subject", "Blinking", "--category", "technical"],
            env,
            stdin=terminal,
        )
        out, err = process.communicate(timeout=60)
    finally:
        os.close(terminal)
        os.close(controller)
    assert process.returncode == 0, err
    seen = json.loads(dump.read_text())
    assert seen["EDITOR"] and seen["SPECTRUM_API_URL"] == fresh_served.url
    assert "SPECTRUM_TOKEN" not in seen and api_token not in dump.read_text()
    assert "The modem blinks orange." in out


# 4. ASCII digits only

ARABIC_4242 = "\u0664\u0662\u0664\u0662" * 4
FULLWIDTH_4242 = "\uff14\uff12\uff14\uff12" * 4
ARABIC_ROUTING = "\u0661\u0661\u0660\u0660\u0660\u0660\u0660\u0660\u0660"  # 110000000


@pytest.mark.parametrize(
    ("route", "body"),
    [
        (
            routes.PAYMENT_METHODS,
            {"type": "card", "card": {"number": ARABIC_4242, "exp_month": 12, "exp_year": 2031}},
        ),
        (
            routes.PAYMENT_METHODS,
            {"type": "card", "card": {"number": FULLWIDTH_4242, "exp_month": 1, "exp_year": 2031}},
        ),
        (
            routes.PAYMENT_METHODS,
            {
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2031,
                    "cvc": "\u0661\u0662\u0663",
                },
            },
        ),
        (
            routes.PAYMENT_METHODS,
            {
                "type": "bank_account",
                "bank_account": {
                    "routing_number": ARABIC_ROUTING,
                    "account_number": "000123456789",
                },
            },
        ),
        (
            routes.PAYMENT_METHODS,
            {
                "type": "bank_account",
                "bank_account": {
                    "routing_number": "110000000",
                    "account_number": "\uff10\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16",
                },
            },
        ),
        (
            routes.RECOVER_USERNAME,
            {"account_number": "\u0668" * 16, "security_code": "1234"},
        ),
        (
            routes.RECOVER_PASSWORD_CONFIRM,
            {"username": "harper", "code": "\u0661" * 6, "new_password": "New-Passw0rd"},
        ),
        (routes.MFA, {"challenge_id": "mfa_0000000000000000", "code": "\uff11" * 6}),
    ],
)
def test_the_server_refuses_numbers_in_other_digits(
    route: str, body: dict[str, Any], client: SpectrumClient
) -> None:
    client.auth.login(*HARPER)
    before = client.payment_methods.list().data
    with pytest.raises(InvalidRequestError) as refused:
        client.request("POST", route, json=body, authenticated=route == routes.PAYMENT_METHODS)
    assert refused.value.status == 400 and refused.value.code == "invalid_parameter"
    assert client.payment_methods.list().data == before


@pytest.mark.parametrize(
    "change",
    [
        {"phones": [{"number": "\u0665\u0665\u0665" + "2010142", "primary": True}]},
        {
            "billing_address": {
                "line1": "1 Main St",
                "city": "Columbus",
                "state": "OH",
                "zip": "\u0664\u0663\u0662\u0661\u0665",
            }
        },
    ],
)
def test_the_server_refuses_contact_numbers_in_other_digits(
    change: dict[str, Any], client: SpectrumClient
) -> None:
    client.auth.login(*HARPER)
    client.auth.reauthenticate(HARPER[1])  # contacts need a confirmed password first
    profile = client.profile.get()
    with pytest.raises(InvalidRequestError) as refused:
        client.request("PATCH", routes.PROFILE, json=change, headers={"If-Match": profile.etag})
    assert refused.value.code == "invalid_parameter"
    assert client.profile.get() == profile


def test_the_typed_client_refuses_other_digits_before_sending(
    watched: tuple[SpectrumClient, Recording],
) -> None:
    from pydantic import ValidationError

    client, transport = watched
    with pytest.raises(ValidationError):
        client.payment_methods.add_card(ARABIC_4242, 12, 2031)
    with pytest.raises(ValidationError):
        client.payment_methods.add_bank_account(ARABIC_ROUTING, "000123456789")
    assert transport.sent == []


def test_the_cli_refuses_numbers_in_other_digits(run_cli: Any) -> None:
    cases: list[tuple[list[str], str | None]] = [
        (["bill", "pay", "--amount", "\u0665\u0660", "--dry-run"], None),
        (["bill", "pay", "--amount", "\uff15\uff10.00", "--dry-run"], None),
        (["bill", "pay", "--amount", "5", "--max-amount", "\u0665\u0660\u0660", "--dry-run"], None),
        (["bill", "pay", "--amount", "5", "--if-due-within", "\u0663\u0660d", "--dry-run"], None),
        (["bill", "pay", "--amount", "5", "--on", "\u0662\u0660\u0662\u0669-01-15", "--yes"], None),
        (
            ["payment-methods", "add", "card", "--exp", "12/31", "--number-stdin"],
            ARABIC_4242 + "\n",
        ),
        (
            ["payment-methods", "add", "card", "--exp", "\u0661\u0662/31", "--number-stdin"],
            "4242424242424242\n",
        ),
        (
            ["payment-methods", "add", "bank", "--routing", ARABIC_ROUTING, "--number-stdin"],
            "000123456789\n",
        ),
        (["recover", "username", "--account-stdin"], "\u0668" * 16 + "\n1234\n"),
        (["recover", "username", "--account-stdin"], "8" * 16 + "\n\uff11\uff12\uff13\uff14\n"),
    ]
    for args, stdin in cases:
        result = run_cli(*args, input=stdin)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert len(json.loads(run_cli("-o", "json", "payment-methods", "list").stdout)["data"]) == 1


def test_the_cli_refuses_a_sign_in_code_in_other_digits(run_cli: Any) -> None:
    result = run_cli(
        "login", "--username", "morgan", "--password-stdin", "--code-stdin", "--store", "file",
        input="Sandbox-Morgan1\n\u0661\u0662\u0663\u0664\u0665\u0666\n",
        SPECTRUM_TOKEN=None,
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "code" in result.stderr


# 5. Server text reaches a terminal without control characters

HOSTILE_TEXT = "Hi \x1b[31mred\x1b[0m \x1b]0;pwned\x07 over\rwrite \x9b2J end\x07"


def _clean(text: str) -> None:
    assert not re.search(r"[\x1b\x07\r\x9b]", text), repr(text)


def test_ticket_text_is_stripped_in_human_output(run_cli: Any, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(HOSTILE_TEXT + "\nsecond line\n")
    created = run_cli(
        "-o", "json", "support", "ticket", "create", "--subject", "Modem",
        "--category", "technical", "--body-file", str(body),
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    ticket = json.loads(created.stdout)
    assert "\x1b[31mred\x1b[0m \x1b]0;pwned\x07" in ticket["messages"][0]["body"]  # JSON is exact
    shown = run_cli("support", "ticket", "show", ticket["id"])
    assert shown.exit_code == 0
    _clean(shown.stdout)
    assert "red" in shown.stdout and "second line" in shown.stdout
    for fmt in ("table", "csv"):
        listed = run_cli("-o", fmt, "support", "ticket", "show", ticket["id"])
        _clean(listed.stdout)


@pytest.fixture
def hostile_server() -> Iterator[str]:
    """A server that is not ours: it answers every request with an error whose message and
    request id carry terminal control sequences."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = json.dumps(
                {
                    "error": {
                        "type": "not_found",
                        "code": "resource_missing",
                        "message": "No such \x1b]0;pwned\x07statement\r\x1b[2K" + "\x9b1m",
                        "request_id": "req_\x1b[5mblink",
                    }
                }
            ).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_error_text_from_the_server_is_stripped(run_cli: Any, hostile_server: str) -> None:
    result = run_cli("bill", "show", "latest", SPECTRUM_API_URL=hostile_server)
    assert result.exit_code == 5
    _clean(result.stderr)
    assert "No such statement" in result.stderr and "req_blink" in result.stderr


def test_messages_on_stderr_are_stripped(run_cli: Any) -> None:
    result = run_cli("profile", "edit", "--remove-email", "\x1b]0;pwned\x07x@example.test")
    assert result.exit_code == 2
    _clean(result.stderr)


# 6. Ticket subjects are one non-blank line


@pytest.mark.parametrize(
    "subject", ["   ", "two\nlines", "car\rriage", "tab\there", "\x1b[31mred", "x\u2028y"]
)
def test_the_server_refuses_a_subject_that_is_not_one_line(
    subject: str, client: SpectrumClient
) -> None:
    client.auth.login(*HARPER)
    body = {"subject": subject, "category": "technical", "body": "hello"}
    with pytest.raises(InvalidRequestError) as refused:
        client.request("POST", routes.TICKETS, json=body)
    assert refused.value.code == "invalid_parameter" and refused.value.param == "subject"
    assert client.support.tickets().data == []


def test_a_subject_loses_its_surrounding_whitespace(client: SpectrumClient) -> None:
    client.auth.login(*HARPER)
    body = {"subject": "  Modem blinks  ", "category": "technical", "body": "hello"}
    ticket = client.request("POST", routes.TICKETS, json=body).json()
    assert ticket["subject"] == "Modem blinks"

"""The meaning of statements and alerts lives in kinds and data fields, not in words.

Two sandboxes from one seeded store, one with the wording switch on (every description,
message and warning comes out in other words): `bill explain`, the price-rise warnings and
the kinds and data of every alert must be the same from both.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spectrum_cli.client import SpectrumClient
from spectrum_cli.client.insights import explain, price_rises
from spectrum_cli.sandbox.reword import ENV, MARKER
from tests.helpers import copy_store, isolated_env, spectrum
from tests.test_billing import login


@dataclass
class Sandbox:
    """The seeded store, as the built-in sandbox of an isolated home, with or without the
    wording switch: the CLI there opens it in-process, as this test does."""

    home: Path
    reworded: bool

    @property
    def env(self) -> dict[str, str]:
        return isolated_env(self.home, **({ENV: "1"} if self.reworded else {}))

    def client(self, monkeypatch: pytest.MonkeyPatch) -> SpectrumClient:
        from spectrum_cli.sandbox.app import create_app
        from spectrum_cli.sandbox.embedded import EmbeddedTransport

        with monkeypatch.context() as switch:
            switch.setenv(ENV, "1") if self.reworded else switch.delenv(ENV, raising=False)
            app = create_app(self.home / "data" / "spectrum-cli" / "sandbox.db")
        transport = EmbeddedTransport(app)
        return SpectrumClient(
            "http://sandbox.embedded", transport=transport, sandbox_key=app.state.keys.admin
        )


def sandboxes(template_store: Path, tmp_path: Path) -> tuple[Sandbox, Sandbox]:
    """The same seeded store twice: as it is, and with the wording switch on."""
    pair = Sandbox(tmp_path / "plain", False), Sandbox(tmp_path / "reworded", True)
    for sandbox in pair:
        store = sandbox.home / "data" / "spectrum-cli" / "sandbox.db"
        store.parent.mkdir(parents=True)
        copy_store(template_store, store)
    return pair


def seen(sandbox: Sandbox, username: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What a client concludes for ``username``: the explanation of every statement against
    the one before (`bill explain -o json` for the latest and the upcoming one), the price
    rises, and every alert without its words."""
    with sandbox.client(monkeypatch) as client:
        login(client, username)
        token = client.auth.create_token("wording", ["account:read", "billing:read"]).token
        ids = [s.id for s in client.statements.iter(page_size=100)]
        statements = [client.statements.get(i) for i in reversed(ids)]
        payments = client.payments.list(limit=100).data
        summary = client.account.summary()
        autopay = client.autopay.get()
        day = client.sandbox.clock().now.date()
    env = {**sandbox.env, "SPECTRUM_TOKEN": token}

    def explained(*args: str) -> Any:
        result = spectrum(["bill", "explain", *args, "-o", "json"], env, in_process=True)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def meaning(alerts: list[Any]) -> list[dict[str, Any]]:
        return [a.model_dump(mode="json", exclude={"message"}) for a in alerts]

    every = [
        explain(current, previous, payments).model_dump(mode="json")
        for previous, current in itertools.pairwise([None, *statements])
    ]
    latest = explained()
    assert latest == every[-1]  # the command shows what the library concludes
    return {
        "day": day,
        "explain": [*every, explained("--upcoming")],
        "price rises": [price_rises(s.alerts) for s in statements] + [price_rises(summary.alerts)],
        "alerts": [meaning(s.alerts) for s in statements]
        + [meaning(summary.alerts), meaning(autopay.alerts)],
        "words": [i.description for s in statements for i in s.line_items]
        + [m for s in statements for m in s.messages]
        + [a.message for a in summary.alerts]
        + autopay.warnings,
        "coded": any(i.code for s in statements for i in s.line_items),
    }


def test_the_same_meaning_whatever_the_words(
    template_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, reworded = sandboxes(template_store, tmp_path)
    with plain.client(monkeypatch) as client:
        accounts: dict[str, str] = {}
        for persona in client.sandbox.personas().data:  # one per account: its users see the same
            accounts.setdefault(persona.account_number_masked, persona.username)
    personas = list(accounts.values())
    answers = [
        (seen(plain, name, monkeypatch), seen(reworded, name, monkeypatch)) for name in personas
    ]
    if len({side["day"] for pair in answers for side in pair}) > 1:
        pytest.skip("the sandboxes' day changed during the test (midnight UTC)")
    for ours, theirs in answers:  # the switch works: the same texts, in other words
        assert len(ours["words"]) == len(theirs["words"])
        assert all(not text.startswith(MARKER) for text in ours["words"])
        assert all(text.startswith(MARKER) for text in theirs["words"])
    if not any(ours["coded"] for ours, _ in answers):
        pytest.xfail("needs the server's fields")
    assert any(rises for ours, _ in answers for rises in ours["price rises"])
    for name, (ours, theirs) in zip(personas, answers, strict=True):
        for key in ("explain", "price rises", "alerts"):
            assert ours[key] == theirs[key], f"{name}: {key} depends on the words"

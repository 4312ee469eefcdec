"""Support: FAQ search quality, tickets, the chat assistant (in a real pty), equipment."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from spectrum_cli.client import SpectrumClient
from tests.helpers import (
    REPO,
    SPECTRUM,
    ServedSandbox,
    isolated_env,
    sandbox_headers,
    spectrum,
    start_spectrum,
    wait_for,
)

# Written before any tuning of the ranking: what a customer types, and the article that must
# come first.
FAQ_QUALITY = [
    ("forgot my password", "faq_reset_password"),
    ("I can't log in", "faq_signin_trouble"),
    ("locked out of my account", "faq_locked_out"),
    ("forgot username", "faq_forgot_username"),
    ("why is my bill so high", "faq_bill_higher"),
    ("late fee", "faq_late_fee"),
    ("set up automatic payments", "faq_autopay_setup"),
    ("autopay failed", "faq_autopay_failed"),
    ("internet not working", "faq_internet_down"),
    ("is there an outage near me", "faq_outage_check"),
    ("restart router", "faq_restart_modem"),
    ("moving to a new house", "faq_moving"),
    ("paperless billing", "faq_paperless"),
    ("payment declined", "faq_payment_declined"),
    ("promo price ending", "faq_promo_ending"),
    ("broadcast tv fee", "faq_broadcast_surcharge"),
    ("download pdf statement", "faq_statement_pdf"),
    ("mobile data cost per gig", "faq_mobile_by_the_gig"),
    ("return my modem", "faq_return_equipment"),
    ("bank returned my payment", "faq_bank_payment_returned"),
]


@pytest.mark.parametrize(("query", "expected"), FAQ_QUALITY)
def test_faq_search_ranks_the_right_article_first(
    client: SpectrumClient, query: str, expected: str
) -> None:
    hits = client.support.search_faq(query).data
    assert hits, query
    assert hits[0].id == expected, [h.id for h in hits]


def test_faq_corpus_is_broad(client: SpectrumClient) -> None:
    articles = client.support.search_faq(limit=50).data
    assert len(articles) >= 40
    assert {a.category for a in articles} >= {
        "sign-in",
        "recovery",
        "billing",
        "payments",
        "autopay",
        "equipment",
        "outages",
        "moving",
        "paperless",
    }
    article = client.support.faq_article("faq_late_fee")
    assert "$8.95" in article.body


NO_MATCH = ["my cat ate my remote", "tell me a joke about cats", "who won the game last night"]


def test_the_chat_answers_what_the_faq_knows_and_admits_what_it_does_not(
    client: SpectrumClient,
) -> None:
    from tests.test_billing import login

    login(client, "harper")
    chat = client.support.start_chat()

    def answer(text: str):  # type: ignore[no-untyped-def]
        return client.support.say(chat.id, text).data[-1]

    for query, _ in FAQ_QUALITY:
        reply = answer(query)
        assert not reply.offers_ticket, (query, reply.body)
    assert "faq_bank_payment_returned" in answer("bank returned my payment").body
    for query in NO_MATCH:
        reply = answer(query)
        assert reply.offers_ticket and reply.body.startswith("I don't know"), (query, reply.body)


@pytest.fixture
def env(harper_env: dict[str, str]) -> dict[str, str]:
    return harper_env


def as_json(env: dict[str, str], *args: str, input: str | None = None) -> dict:
    result = spectrum(["-o", "json", *args], env, input=input)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def json_lines(env: dict[str, str], *args: str) -> list[dict]:
    """A streamed answer in -o json: one JSON object per line."""
    result = spectrum(["-o", "json", *args], env)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_faq_from_the_cli(env: dict[str, str]) -> None:
    found = spectrum(["support", "faq", "late", "fee"], env)
    assert found.returncode == 0 and found.stdout.splitlines()[2].startswith("faq_late_fee")
    shown = spectrum(["support", "faq", "show", "faq_late_fee"], env)
    assert shown.stdout.startswith("Late fees\n=========") and "$8.95" in shown.stdout
    assert spectrum(["support", "faq", "show", "faq_nope"], env).returncode == 5


def test_ticket_lifecycle_with_unicode_and_a_long_body(
    env: dict[str, str], tmp_path: Path, fresh_served: ServedSandbox
) -> None:
    body_file = tmp_path / "body.txt"
    body_file.write_text(
        "Le modem clignote en orange 🔶 depuis ce matin — 助けて!\n", encoding="utf-8"
    )
    created = spectrum(
        [
            "support",
            "ticket",
            "create",
            "--subject",
            "Modem blinking 🔶",
            "--category",
            "technical",
            "--body-file",
            str(body_file),
        ],
        env,
    )
    assert created.returncode == 0, created.stderr
    ticket_id = created.stdout.split()[0]
    assert "clignote en orange 🔶" in created.stdout

    long_body = "0123456789" * 1000
    big = as_json(
        env,
        "support",
        "ticket",
        "create",
        "--subject",
        "Long",
        "--category",
        "billing",
        input=long_body,
    )
    assert big["messages"][0]["body"] == long_body

    assert (
        spectrum(
            ["support", "ticket", "reply", ticket_id], env, input="Still blinking.\n"
        ).returncode
        == 0
    )
    httpx.post(
        f"{fresh_served.url}/v1/sandbox/clock",
        headers=sandbox_headers(fresh_served.url),
        json={"advance_seconds": 2 * 3600 + 60},
    ).raise_for_status()
    thread = as_json(env, "support", "ticket", "show", ticket_id)
    assert thread["status"] == "pending"
    assert [m["author"] for m in thread["messages"]] == ["customer", "customer", "agent"]
    listed = as_json(env, "support", "ticket", "list", "--status", "pending")
    assert {t["id"] for t in listed["data"]} == {ticket_id, big["id"]}
    assert spectrum(["support", "ticket", "close", ticket_id, "--yes"], env).returncode == 0
    assert as_json(env, "support", "ticket", "show", ticket_id)["status"] == "closed"
    closed = spectrum(["support", "ticket", "reply", ticket_id], env, input="hello\n")
    assert closed.returncode == 6


def _edit_in_a_terminal(env: dict[str, str], editor: str, *args: str) -> tuple[int, str, str]:
    """`spectrum ARGS` with a terminal on stdin (so it opens EDITOR), stdout and stderr piped."""
    import os

    controller, terminal = os.openpty()
    try:
        process = start_spectrum(list(args), {**env, "EDITOR": editor}, stdin=terminal)
        out, err = process.communicate(timeout=60)
    finally:
        os.close(terminal)
        os.close(controller)
    return process.returncode, out, err


TICKET = ["support", "ticket", "create", "--subject", "Modem", "--category", "technical"]
# Real editors: `sed -i` saves by writing a new file and renaming it over the old one; the
# shell one writes into the same file.
EDITORS = {
    "sed -i": "sed -i 1s/^$/Blinks_orange_all_night/",
    "in place": 'sh -c \'printf "Blinks_orange_all_night\\n" > "$0"\'',
}


@pytest.mark.parametrize("editor", sorted(EDITORS))
def test_a_ticket_written_in_an_editor_is_sent(env: dict[str, str], editor: str) -> None:
    status, out, err = _edit_in_a_terminal(env, EDITORS[editor], "-o", "json", *TICKET)
    assert status == 0, err
    assert json.loads(out)["messages"][0]["body"] == "Blinks_orange_all_night"


def test_a_ticket_that_fails_to_send_keeps_the_draft(
    env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    import re
    import stat

    faults = f"{fresh_served.url}/v1/sandbox/faults"
    rule = {"method": "POST", "path": "/v1/support/tickets", "kind": "error", "times": None}
    headers = sandbox_headers(fresh_served.url)
    httpx.put(faults, headers=headers, json={"faults": [rule]}).raise_for_status()
    try:
        status, _, err = _edit_in_a_terminal(env, EDITORS["sed -i"], *TICKET)
    finally:
        httpx.delete(faults, headers=headers).raise_for_status()
    assert status == 8, err
    found = re.search(r"saved in (\S+\.txt)", err)
    assert found, err
    draft = Path(found.group(1))
    assert draft.is_relative_to(Path(env["XDG_DATA_HOME"]))
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert "Blinks_orange_all_night" in draft.read_text(encoding="utf-8")
    sent = as_json(env, *TICKET, "--body-file", str(draft))
    assert sent["messages"][0]["body"] == "Blinks_orange_all_night"


@pytest.mark.parametrize("body", ["", "   \n\n  "])
def test_an_empty_ticket_body_is_exit_2(env: dict[str, str], body: str) -> None:
    result = spectrum(
        ["support", "ticket", "create", "--subject", "x", "--category", "other"], env, input=body
    )
    assert result.returncode == 2 and "empty" in result.stderr
    assert as_json(env, "support", "ticket", "list")["data"] == []


def test_another_accounts_ticket_is_not_found(
    env: dict[str, str], tmp_path: Path, fresh_served: ServedSandbox
) -> None:
    created = as_json(
        env,
        "support",
        "ticket",
        "create",
        "--subject",
        "Mine",
        "--category",
        "account",
        input="private\n",
    )
    pat = isolated_env(tmp_path / "pat", SPECTRUM_API_URL=fresh_served.url)
    spectrum(
        ["login", "--username", "pat", "--password-stdin", "--store", "file"],
        pat,
        input="Sandbox-Pat1\n",
    )
    result = spectrum(["support", "ticket", "show", created["id"]], pat)
    assert result.returncode == 5 and "No such ticket" in result.stderr


def test_chat_message_for_scripts(env: dict[str, str]) -> None:
    balance = as_json(env, "account", "show")["balance_cents"]
    answer = spectrum(["support", "chat", "--message", "What is my balance?"], env)
    assert answer.returncode == 0
    assert f"${balance // 100:,}.{balance % 100:02d}" in answer.stdout
    [reply] = json_lines(env, "support", "chat", "--message", "how do I go paperless")
    assert reply["author"] == "agent" and "Paperless billing" in reply["body"]
    refused = spectrum(["support", "chat"], env)
    assert refused.returncode == 2 and "pass --message" in refused.stderr


def test_one_shot_chat_offers_a_ticket_the_user_can_open(env: dict[str, str]) -> None:
    answer = spectrum(["support", "chat", "--message", "my cat ate my remote"], env)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("I don't know") and "Account locked" not in answer.stdout
    assert "/ticket" not in answer.stdout + answer.stderr
    assert "spectrum support ticket create --subject" in answer.stderr
    [reply] = json_lines(env, "support", "chat", "--message", "my cat ate my remote")
    assert reply["offers_ticket"] is True


def test_interactive_chat_in_a_real_terminal(env: dict[str, str]) -> None:
    pexpect = pytest.importorskip("pexpect")
    balance = as_json(env, "account", "show")["balance_cents"]
    child = pexpect.spawn(
        SPECTRUM[0],
        [*SPECTRUM[1:], "support", "chat"],
        env=env,
        cwd=str(REPO),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    child.expect("agent> Hi!")
    child.expect("you> ")
    child.sendline("what's my balance?")
    child.expect(r"agent> Your current balance is (\$[\d,]+\.\d\d)")
    assert child.match.group(1) == f"${balance // 100:,}.{balance % 100:02d}"
    child.expect("you> ")
    child.sendline("please sing me a song")
    child.expect("Type /ticket")
    child.expect("you> ")
    child.sendline("/ticket")
    child.expect(r"I opened ticket (tkt_[0-9a-f]+)")
    ticket_id = child.match.group(1)
    child.expect("you> ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = spectrum(["support", "ticket", "show", ticket_id], env)
    assert "Chat transcript:" in shown.stdout
    assert "customer: what's my balance?" in shown.stdout
    assert "agent: Your current balance is" in shown.stdout


def test_outage_question_in_chat(env: dict[str, str], fresh_served: ServedSandbox) -> None:
    no_outage = spectrum(["support", "chat", "--message", "is my internet down?"], env)
    assert "no outage at your address" in no_outage.stdout
    httpx.post(
        f"{fresh_served.url}/v1/sandbox/outages",
        headers=sandbox_headers(fresh_served.url),
        json={"zip": "43215", "services": ["internet"]},
    ).raise_for_status()
    outage = spectrum(["support", "chat", "--message", "is my internet down?"], env)
    assert "there is an Internet outage at your address" in outage.stdout


def test_equipment_restart_and_wait(env: dict[str, str], fresh_served: ServedSandbox) -> None:
    devices = as_json(env, "equipment", "list")["data"]
    modem = next(d for d in devices if d["kind"] == "modem")
    assert modem["status"] == "online"
    waiting = start_spectrum(
        ["-o", "json", "equipment", "restart", modem["id"], "--wait", "--timeout", "60"], env
    )
    wait_for(
        lambda: any(
            d["id"] == modem["id"] and d["status"] == "restarting"
            for d in as_json(env, "equipment", "list")["data"]
        ),
        "the modem to be restarting",
    )
    again = spectrum(["equipment", "restart", modem["id"]], env)
    assert again.returncode == 6 and "already restarting" in again.stderr
    httpx.post(
        f"{fresh_served.url}/v1/sandbox/clock",
        headers=sandbox_headers(fresh_served.url),
        json={"advance_seconds": 150},
    ).raise_for_status()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    # Not a terminal: a progress line per change of state on stderr, the device on stdout.
    progress = [line for line in err.splitlines() if line.startswith(f"{modem['model']}: ")]
    assert progress == [f"{modem['model']}: restarting…", f"{modem['model']}: online"], err
    assert "back online" in err and "." * 3 not in err
    device = json.loads(out)
    assert (device["id"], device["status"]) == (modem["id"], "online")
    router = next(d for d in devices if d["kind"] == "router")
    slow = spectrum(["equipment", "restart", router["id"], "--wait", "--timeout", "1"], env)
    assert slow.returncode == 8 and "did not come back online within 1 s" in slow.stderr
    assert spectrum(["equipment", "restart", "eq_nope"], env).returncode == 5


def test_python_is_the_interpreter_under_test() -> None:
    assert SPECTRUM[0] == sys.executable

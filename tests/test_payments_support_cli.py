"""Payments, payment methods, autopay, support, equipment and profile through the one output
sink: every command as json, csv, text and --query; "nothing to do" as a result; the filters
of `payments list`; ticket bodies from --body and --body-file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests import test_cli_inprocess as inprocess

# fixtures shared with that module
cli, memory_keyring = inprocess.cli, inprocess.memory_keyring

Cli = Callable[..., Any]
CARD = "4242 4242 4242 4242\n"


@pytest.fixture
def harper(cli: Cli) -> Cli:
    """`spectrum ARGS` in-process, signed in as harper on the embedded sandbox."""
    result = cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    assert result.exit_code == 0, result.stderr
    return cli


def ok(cli: Cli, *args: str, input: str | None = None) -> Any:
    result = cli(*args, input=input)
    assert result.exit_code == 0, (args, result.stderr)
    return result


def data(cli: Cli, *args: str, input: str | None = None) -> Any:
    return json.loads(ok(cli, "-o", "json", *args, input=input).stdout)


def later(cli: Cli, days: int) -> str:
    now = data(cli, "sandbox", "clock", "show")["now"]
    return (dt.date.fromisoformat(now[:10]) + dt.timedelta(days=days)).isoformat()


def scheduled_payment(cli: Cli, amount: str = "10.00", days: int = 3) -> str:
    paid = data(cli, "bill", "pay", "--amount", amount, "--on", later(cli, days), "--yes")
    return paid["id"]


def new_card(cli: Cli) -> str:
    return data(
        cli, "payment-methods", "add", "card", "--exp", "12/30", "--number-stdin", input=CARD
    )["id"]


def new_ticket(cli: Cli) -> str:
    return data(
        cli,
        "support",
        "ticket",
        "create",
        "--subject",
        "Modem",
        "--category",
        "technical",
        "--body",
        "It blinks.",
    )["id"]


def card_id(cli: Cli) -> str:
    return data(cli, "payment-methods", "list")["data"][0]["id"]


# Each command, as a function of a signed-in `cli` giving its arguments (set-up included, so
# a command that changes something acts on something new each time), and a --query over its
# JSON form whose answer is a string.
COMMANDS: dict[str, tuple[Callable[[Cli], list[str]], str]] = {
    "payments list": (lambda c: ["payments", "list"], "data[0].id"),
    "payments list --all": (lambda c: ["payments", "list", "--all"], "data[0].id"),
    "payments show": (lambda c: ["payments", "show", scheduled_payment(c)], "id"),
    "payments cancel": (lambda c: ["payments", "cancel", scheduled_payment(c), "--yes"], "status"),
    "payment-methods list": (lambda c: ["payment-methods", "list"], "data[0].id"),
    "payment-methods add card": (
        lambda c: ["payment-methods", "add", "card", "--exp", "12/30", "--number-stdin"],
        "label",
    ),
    "payment-methods default": (lambda c: ["payment-methods", "default", new_card(c)], "id"),
    "payment-methods remove": (lambda c: ["payment-methods", "remove", new_card(c), "--yes"], "id"),
    "autopay show": (lambda c: ["autopay", "show"], "status"),
    "autopay enable": (
        lambda c: [*_autopay_off(c), "autopay", "enable", "--method", card_id(c), "--yes"],
        "method_id",
    ),
    "autopay disable": (
        lambda c: [*_autopay_on(c), "autopay", "disable", "--yes"],
        "status",
    ),
    "support faq": (lambda c: ["support", "faq", "late", "fee"], "data[0].id"),
    "support faq show": (lambda c: ["support", "faq", "show", "faq_late_fee"], "title"),
    "support ticket create": (
        lambda c: [
            "support",
            "ticket",
            "create",
            "--subject",
            "Hi",
            "--category",
            "billing",
            "--body",
            "A question.",
        ],
        "id",
    ),
    "support ticket list": (lambda c: [*_a_ticket(c), "support", "ticket", "list"], "data[0].id"),
    "support ticket show": (lambda c: ["support", "ticket", "show", new_ticket(c)], "id"),
    "support ticket reply": (
        lambda c: ["support", "ticket", "reply", new_ticket(c), "--body", "Still."],
        "status",
    ),
    "support ticket close": (
        lambda c: ["support", "ticket", "close", new_ticket(c), "--yes"],
        "status",
    ),
    "equipment list": (lambda c: ["equipment", "list"], "data[0].id"),
    "profile show": (lambda c: ["profile", "show"], "emails[0].address"),
    "profile edit": (lambda c: ["profile", "edit", _flip_paperless(c)], "emails[0].address"),
}
# What a command reads from stdin.
INPUTS = {"payment-methods add card": CARD}


def _autopay_off(cli: Cli) -> list[str]:
    if data(cli, "autopay", "show")["enabled"]:
        ok(cli, "autopay", "disable", "--yes")
    return []


def _autopay_on(cli: Cli) -> list[str]:
    ok(cli, "autopay", "enable", "--method", card_id(cli), "--yes")
    return []


def _a_ticket(cli: Cli) -> list[str]:
    new_ticket(cli)
    return []


def _flip_paperless(cli: Cli) -> str:
    return "--paper" if data(cli, "profile", "show")["paperless"] else "--paperless"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_answers_as_json_csv_text_and_query(harper: Cli, name: str) -> None:
    make, query = COMMANDS[name]
    stdin = INPUTS.get(name)
    value = json.loads(ok(harper, "-o", "json", *make(harper), input=stdin).stdout)
    if isinstance(value, dict) and "data" in value:
        assert set(value) == {"data", "has_more"} and value["data"], value
        first = value["data"][0]
    else:
        first = value
    assert "id" in first or "etag" in first or "status" in first, first

    table = ok(harper, "-o", "csv", *make(harper), input=stdin).stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows, table
    header = table.splitlines()[0].split(",")
    assert all(name == name.lower() and " " not in name for name in header), header
    for row in rows:  # raw values: integer cents, never "$12.34"
        assert all(int(v) is not None for k, v in row.items() if k.endswith("_cents") and v)

    text = ok(harper, "-o", "text", *make(harper), input=stdin).stdout.splitlines()
    assert text and text[0].split("\t") != header  # no header
    assert "\t" in text[0] or len(header) == 1

    raw = ok(harper, "--query", query, "-o", "text", *make(harper), input=stdin).stdout
    assert raw.strip() and not raw.startswith('"'), raw  # a string prints raw
    quoted = ok(harper, "--query", query, *make(harper), input=stdin).stdout
    assert isinstance(json.loads(quoted), str)  # the same query as JSON: quoted


def test_amounts_in_payments_csv_are_cents_with_a_decimal_beside(harper: Cli) -> None:
    scheduled_payment(harper, "12.34")
    rows = list(csv.DictReader(io.StringIO(ok(harper, "-o", "csv", "payments", "list").stdout)))
    assert (rows[0]["amount_cents"], rows[0]["amount"]) == ("1234", "12.34")
    assert rows[0]["id"].startswith("pay_") and rows[0]["status"] == "scheduled"


def test_chat_streams_each_answer_as_a_json_line_and_a_row(harper: Cli) -> None:
    lines = ok(harper, "-o", "json", "support", "chat", "--message", "late fee").stdout
    [reply] = [json.loads(line) for line in lines.splitlines()]
    assert reply["author"] == "agent" and reply["id"]
    text = ok(harper, "-o", "text", "support", "chat", "--message", "late fee").stdout
    assert text.count("\n") == 1 and "\tagent\t" in text
    rows = ok(harper, "-o", "csv", "support", "chat", "--message", "late fee").stdout
    [row] = list(csv.reader(io.StringIO(rows)))  # one row per answer, no header
    assert row[0].startswith("cm_") and row[1] == "agent"
    body = ok(harper, "--query", "body", "-o", "text", "support", "chat", "--message", "late fee")
    assert body.stdout.startswith(reply["body"][:20])


def test_equipment_restart_without_wait_is_the_device(harper: Cli) -> None:
    modem = next(d for d in data(harper, "equipment", "list")["data"] if d["kind"] == "modem")
    device = data(harper, "equipment", "restart", modem["id"])
    assert device["id"] == modem["id"] and device["status"] == "restarting"


def test_password_change_is_a_result(harper: Cli) -> None:
    changed = data(
        harper, "profile", "password", "--password-stdin", input="Sandbox-Harper1\nFresh-Pass42\n"
    )
    assert changed["revoked_sessions"] == 0 and changed["message"]


# Nothing to do: exit 0, a result saying so as data, a line on stderr for people.


def _already_canceled(cli: Cli) -> list[str]:
    payment = scheduled_payment(cli)
    ok(cli, "payments", "cancel", payment, "--yes")
    return ["payments", "cancel", payment]


def _already_closed(cli: Cli) -> list[str]:
    ticket = new_ticket(cli)
    ok(cli, "support", "ticket", "close", ticket, "--yes")
    return ["support", "ticket", "close", ticket]


def _already_on(cli: Cli) -> list[str]:
    method = card_id(cli)
    ok(cli, "autopay", "enable", "--method", method, "--yes")
    return ["autopay", "enable", "--method", method]


def _already_default(cli: Cli) -> list[str]:
    methods = data(cli, "payment-methods", "list")["data"]
    return ["payment-methods", "default", next(m["id"] for m in methods if m["is_default"])]


def _already_paper(cli: Cli) -> list[str]:
    ok(cli, "profile", "edit", "--paper")
    return ["profile", "edit", "--paper"]


NOTHING_TO_DO = {
    "payment already canceled": (_already_canceled, "payment", "already canceled"),
    "ticket already closed": (_already_closed, "ticket", "already closed"),
    "autopay already off": (lambda c: ["autopay", "disable"], "autopay", "already off"),
    "autopay already on": (_already_on, "autopay", "already on"),
    "method already the default": (_already_default, "method", "already the default"),
    "profile already so": (_already_paper, "profile", "already says so"),
}


@pytest.mark.parametrize("name", sorted(NOTHING_TO_DO))
def test_nothing_to_do_is_a_result_and_exit_0_without_a_question(harper: Cli, name: str) -> None:
    setup, detail, words = NOTHING_TO_DO[name]
    args = setup(harper)  # no --yes: with nothing to do, nothing is asked
    answer = data(harper, *args)
    assert answer["result"] == "nothing_to_do" and words in answer["reason"], answer
    assert isinstance(answer[detail], dict)
    people = ok(harper, *args)
    assert people.stdout == "" and words in people.stderr


# payments list --status --from --to --all


def test_payments_list_filters_by_status_and_dates_on_the_server(harper: Cli) -> None:
    for amount, days in (("1.01", 2), ("1.02", 5), ("1.03", 9)):
        scheduled_payment(harper, amount, days)
    ok(harper, "bill", "pay", "--amount", "1.04", "--yes")  # today, succeeded
    canceled = scheduled_payment(harper, "1.05", 7)
    ok(harper, "payments", "cancel", canceled, "--yes")

    def cents(*args: str) -> list[int]:
        page = data(harper, "payments", "list", *args)
        assert set(page) == {"data", "has_more"}
        return [p["amount_cents"] for p in page["data"] if 101 <= p["amount_cents"] <= 105]

    assert cents("--status", "scheduled") == [103, 102, 101]
    assert cents("--status", "canceled") == [105]
    assert cents("--from", later(harper, 3), "--to", later(harper, 7)) == [105, 102]
    assert cents("--status", "scheduled", "--from", later(harper, 3)) == [103, 102]
    assert cents("--to", later(harper, 0), "--status", "succeeded")[:1] == [104]
    one = data(harper, "payments", "list", "--status", "scheduled", "--limit", "1")
    assert [p["amount_cents"] for p in one["data"]] == [103] and one["has_more"] is True
    every = data(harper, "payments", "list", "--status", "scheduled", "--all", "--limit", "1")
    assert [p["amount_cents"] for p in every["data"]] == [103, 102, 101]
    assert every["has_more"] is False


def test_payments_list_all_follows_every_page(harper: Cli) -> None:
    scheduled_payment(harper, "1.00", 2)
    first = data(harper, "payments", "list", "--limit", "1")
    assert first["has_more"] is True
    total = len(data(harper, "payments", "list", "--limit", "100")["data"])
    every = data(harper, "payments", "list", "--all", "--limit", "1")  # a request per payment
    assert len({p["id"] for p in every["data"]}) == len(every["data"]) == total > 1
    assert every["has_more"] is False
    csv_rows = list(
        csv.DictReader(io.StringIO(ok(harper, "-o", "csv", "payments", "list", "--all").stdout))
    )
    assert [r["id"] for r in csv_rows] == [p["id"] for p in every["data"]]


def test_payments_pending_is_a_page(harper: Cli) -> None:
    assert data(harper, "payments", "pending") == {"data": [], "has_more": False}
    assert (
        ok(harper, "--query", "length(data)", "-o", "text", "payments", "pending").stdout == "0\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2027-02-01", "--to", "2027-01-01"], "is after --to"),
        (["--from", "2027-13-01"], "is not a date"),
        (["--status", "lost"], "lost"),
    ],
)
def test_payments_list_refuses_bad_filters_with_exit_2(
    harper: Cli, args: list[str], message: str
) -> None:
    result = harper("payments", "list", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_the_api_refuses_a_backwards_range(client) -> None:  # type: ignore[no-untyped-def]
    from spectrum_cli.client import APIStatusError

    client.auth.login("harper", "Sandbox-Harper1")
    with pytest.raises(APIStatusError) as refused:
        client.payments.list(from_date=dt.date(2027, 2, 1), to_date=dt.date(2027, 1, 1))
    assert refused.value.status == 400 and refused.value.code == "bad_range"


# support ticket create --body | --body-file


def test_a_ticket_body_comes_from_body_or_a_file_or_stdin(harper: Cli, tmp_path: Any) -> None:
    create = ["support", "ticket", "create", "--subject", "Hi", "--category", "other"]
    said = data(harper, *create, "--body", "From the option.")
    assert said["messages"][0]["body"] == "From the option."
    body = tmp_path / "body.txt"
    body.write_text("From a file.\n", encoding="utf-8")
    filed = data(harper, *create, "--body-file", str(body))
    assert filed["messages"][0]["body"] == "From a file."
    piped = data(harper, *create, "--body-file", "-", input="From stdin.\n")
    assert piped["messages"][0]["body"] == "From stdin."
    reply = data(harper, "support", "ticket", "reply", said["id"], "--body", "More.")
    assert reply["messages"][-1]["body"] == "More."


def test_a_missing_body_file_or_two_bodies_are_exit_2(harper: Cli, tmp_path: Any) -> None:
    create = ["support", "ticket", "create", "--subject", "Hi", "--category", "other"]
    missing = harper(*create, "--body-file", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2
    assert missing.stderr.startswith("Error: Cannot read") and missing.stderr.count("\n") <= 2
    assert "No such file or directory" in missing.stderr and "Traceback" not in missing.stderr
    body = tmp_path / "body.txt"
    body.write_text("x", encoding="utf-8")
    both = harper(*create, "--body", "y", "--body-file", str(body))
    assert both.exit_code == 2 and "--body or --body-file, not both" in both.stderr
    empty = harper(*create, "--body", "  ")
    assert empty.exit_code == 2 and "empty" in empty.stderr
    assert data(harper, "support", "ticket", "list")["data"] == []

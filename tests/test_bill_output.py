"""What `bill`, `account show`, `usage` and `outages` print in each format, in-process against
the embedded sandbox: json is the API's model (lists as pages), csv and text its rows flattened
(csv with a header, text without), --query over the JSON form, tables for people."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.helpers import sandbox_home, spectrum

# A command, and where its csv/text rows are in its JSON form (None: the object is the row).
COMMANDS = {
    "bill list": (["bill", "list"], "data"),
    "bill list --all": (["bill", "list", "--all"], "data"),
    "bill show": (["bill", "show"], "line_items"),
    "bill explain": (["bill", "explain"], "changes"),
    "account show": (["account", "show"], None),
    "usage": (["usage", "--service", "mobile", "--days", "3"], "days"),
    "outages": (["outages"], "data"),
}
QUERIES = {
    "bill list": ("data[0].id", re.compile(r"st_\d+_\d{6}")),
    "bill list --all": ("data[-1].status", re.compile(r"paid")),
    "bill show": ("line_items[0].kind", re.compile(r"service")),
    "bill explain": ("changes[0].kind", re.compile(r"usage")),
    "account show": ("holder_name", re.compile(r"Harper Quinn")),
    "usage": ("days[0].line_id", re.compile(r"line_harper")),
    "outages": ("data[0].services[0]", re.compile(r"internet")),
}


@pytest.fixture
def harper(tmp_path: Path, template_store: Path) -> dict[str, str]:
    """Signed in as harper against the embedded sandbox, with an outage at her address."""
    env = sandbox_home(tmp_path / "home", template_store)
    login = ["login", "--username", "harper", "--password-stdin", "--store", "file"]
    assert run(env, *login, input="Sandbox-Harper1\n").returncode == 0
    outage = ["sandbox", "outage", "--zip", "43215", "--service", "internet"]
    assert run(env, *outage).returncode == 0
    return env


def run(env: dict[str, str], *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    result = spectrum(list(args), env, input=input, in_process=True)
    assert result.returncode == 0, result.stderr
    return result


def rows_of(value: dict, key: str | None) -> list[dict]:
    return [value] if key is None else value[key]


@pytest.mark.parametrize("name", COMMANDS)
def test_json_csv_and_text_are_the_same_rows(harper: dict[str, str], name: str) -> None:
    args, key = COMMANDS[name]
    value = json.loads(run(harper, "-o", "json", *args).stdout)
    if key == "data":
        assert set(value) == {"data", "has_more"}
    expected = rows_of(value, key)
    assert expected, f"`{name}` has no rows to compare"
    table = list(csv.reader(io.StringIO(run(harper, "-o", "csv", *args).stdout)))
    header, records = table[0], table[1:]
    assert len(records) == len(expected)
    for record, item in zip(records, expected, strict=True):
        row = dict(zip(header, record, strict=True))
        for field, datum in item.items():
            if isinstance(datum, str | int) and not isinstance(datum, bool):
                assert row[field] == str(datum), (field, row[field], datum)
            if field.endswith("_cents") and isinstance(datum, int):
                assert row[field[:-6]] == f"{datum / 100:.2f}"  # the amount beside the cents
    text = run(harper, "-o", "text", *args).stdout.splitlines()
    assert [line.split("\t") for line in text] == records


@pytest.mark.parametrize("name", COMMANDS)
def test_query_works_and_a_string_is_raw_in_text(harper: dict[str, str], name: str) -> None:
    args, _ = COMMANDS[name]
    query, expected = QUERIES[name]
    quoted = run(harper, "--query", query, *args).stdout.strip()
    assert expected.fullmatch(json.loads(quoted)), quoted
    raw = run(harper, "-o", "text", "--query", query, *args).stdout
    assert expected.fullmatch(raw.removesuffix("\n")) and raw.endswith("\n"), raw


def test_bill_list_table_has_the_ids_and_right_aligned_money(harper: dict[str, str]) -> None:
    lines = run(harper, "bill", "list", "--limit", "3").stdout.splitlines()
    assert lines[0].split()[0] == "id" and re.match(r"st_\d+_\d{6} ", lines[2])
    amounts = [m.end() for m in re.finditer(r"\$[\d,]+\.\d\d", lines[3])]
    assert len(amounts) == 3
    for line in lines[2:]:  # every amount ends in the same column as the one above
        assert [m.end() for m in re.finditer(r"\$[\d,]+\.\d\d", line)] == amounts
    every = json.loads(run(harper, "-o", "json", "bill", "list", "--all").stdout)
    assert every["has_more"] is False and len(every["data"]) == 13


def test_bill_show_table_is_the_paper_bill(harper: dict[str, str]) -> None:
    shown = run(harper, "bill", "show")
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Statement st_") and "Services" in lines
    indented = lines[lines.index("Services") + 1]
    assert indented.startswith("  Spectrum Internet Premier") and indented.endswith("$99.99")
    assert any(line.startswith("Still unpaid") for line in lines)
    assert "promotion ends" in shown.stderr and "promotion ends" not in shown.stdout


def test_account_show_table_is_the_dashboard_with_equipment_ids(harper: dict[str, str]) -> None:
    shown = run(harper, "account", "show")
    out = shown.stdout
    assert out.startswith("Account ") and "Harper Quinn" in out
    assert re.search(r"^eq_6755_1 +Advanced WiFi Router +internet +\$7\.00", out, re.MULTILINE)
    assert re.search(r"^tv +Spectrum TV Select +\$79\.99 +\$114\.99 +2027-06-16$", out, re.M)
    assert "Warning:" in shown.stderr and "Warning:" not in out


def test_usage_table_and_outages_table_for_people(harper: dict[str, str]) -> None:
    usage = run(harper, "usage", "--service", "mobile", "--days", "2", "--by", "day")
    assert usage.stdout.splitlines()[0].split() == ["period", "line", "GB"]
    assert "By-the-gig charge so far this cycle" in usage.stderr
    outages = run(harper, "outages").stdout.splitlines()
    assert outages[0].split()[:3] == ["services", "status", "since"]
    # times are local with their offset from UTC
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d", outages[2]), outages[2]


def test_no_outages_is_an_empty_page_not_nothing_to_do(harper: dict[str, str]) -> None:
    assert run(harper, "sandbox", "outage", "--end").returncode == 0
    assert json.loads(run(harper, "-o", "json", "outages").stdout) == {
        "data": [],
        "has_more": False,
    }
    people = run(harper, "outages")
    assert people.stdout == "" and "No outages at your service address." in people.stderr


def test_bill_pay_with_nothing_to_pay_says_so_as_a_result(harper: dict[str, str]) -> None:
    paid = json.loads(run(harper, "-o", "json", "bill", "list").stdout)["data"][1]
    assert paid["status"] == "paid"
    cases = [
        (["--statement", paid["id"]], f"Statement {paid['id']} is already paid"),
        (["--balance", "--if-due-within", "1d"], "Nothing due within 1 day(s)"),
    ]
    for options, reason in cases:
        result = run(harper, "-o", "json", "bill", "pay", *options, "--yes")
        answer = json.loads(result.stdout)
        assert answer["result"] == "nothing_to_do" and answer["reason"].startswith(reason)
        assert "statement_id" in answer
    assert run(harper, "-o", "json", "bill", "pay", "--balance", "--yes").stdout
    again = run(harper, "-o", "json", "bill", "pay", "--balance", "--yes")
    answer = json.loads(again.stdout)
    assert answer == {
        "result": "nothing_to_do",
        "reason": "The account balance is already paid; nothing to do.",
        "balance_cents": 0,
        "scheduled_cents": 0,
    }
    people = run(harper, "bill", "pay", "--balance", "--yes")
    assert people.stdout == "" and "already paid; nothing to do" in people.stderr

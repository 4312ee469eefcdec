"""Statement PDFs, drawn with fpdf2 from the same numbers the JSON carries."""

from __future__ import annotations

import datetime as dt

from spectrum_cli.api.billing import Statement
from spectrum_cli.api.money import usd

GROUPS = (
    ("Services", ("service", "promo_discount", "proration")),
    ("Equipment", ("equipment",)),
    ("Usage", ("usage",)),
    ("One-time charges", ("one_time",)),
    ("Taxes, fees and surcharges", ("surcharge", "tax", "fee")),
    ("Other charges and credits", ("late_fee", "adjustment", "credit")),
)


def _ascii(text: str) -> str:
    # The core PDF fonts are Latin-1; keep the text readable rather than fail on a symbol.
    return text.replace("•", "*").replace("—", "-").encode("latin-1", "replace").decode("latin-1")


def render(statement: Statement, *, holder: str, account_masked: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_creation_date(dt.datetime.combine(statement.statement_date, dt.time(), dt.UTC))
    pdf.set_title(f"Spectrum statement {statement.statement_date.isoformat()}")
    pdf.set_author("Spectrum sandbox")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Spectrum", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in (
        f"Statement {statement.id}   Date {statement.statement_date.isoformat()}",
        _ascii(f"{holder}   Account {account_masked}"),
        f"Service period {statement.period_start.isoformat()} to {statement.period_end.isoformat()}",
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(120, 8, "Amount due")
    pdf.cell(0, 8, usd(statement.amount_due_cents), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(120, 6, f"Due by {statement.due_date.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, cents in (
        ("Previous balance", statement.previous_balance_cents),
        ("Payments received", -statement.payments_received_cents),
        ("New charges", statement.total_cents),
    ):
        pdf.cell(120, 6, label)
        pdf.cell(0, 6, usd(cents), align="R", new_x="LMARGIN", new_y="NEXT")
    for title, kinds in GROUPS:
        items = [i for i in statement.line_items if i.kind in kinds]
        if not items:
            continue
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for item in items:
            pdf.cell(150, 6, _ascii(item.description)[:90])
            pdf.cell(0, 6, usd(item.amount_cents), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(150, 7, "Total new charges")
    pdf.cell(0, 7, usd(statement.total_cents), align="R", new_x="LMARGIN", new_y="NEXT")
    if statement.messages:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 9)
        for message in statement.messages:
            pdf.multi_cell(0, 5, _ascii(message), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

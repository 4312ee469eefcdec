"""No cent appears or vanishes: random payments, declines, cancels and clock jumps (hypothesis).

Invariant, read only through the API: balance = all charges − payments that count
(succeeded or processing), where all charges = every statement's total + unbilled charges.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from spectrum_cli.client import ConflictError, InvalidRequestError, PaymentError, SpectrumClient
from spectrum_cli.sandbox.app import create_app
from spectrum_cli.sandbox.embedded import EmbeddedTransport

TEMPLATE: Path | None = None


@pytest.fixture(autouse=True)
def _template(template_store: Path) -> None:
    global TEMPLATE
    TEMPLATE = template_store


class Ledger(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        assert TEMPLATE is not None
        self.dir = Path(tempfile.mkdtemp(prefix="spectrum-ledger-"))
        shutil.copyfile(TEMPLATE, self.dir / "sandbox.db")
        app = create_app(self.dir / "sandbox.db")
        self.client = SpectrumClient(
            "http://sandbox.embedded",
            transport=EmbeddedTransport(app),
            sleep=lambda s: None,
            sandbox_key=app.state.keys.admin,
        )
        self.client.auth.login("harper", "Sandbox-Harper1")
        pm = self.client.payment_methods
        self.methods = {
            "card": pm.list().data[0].id,
            "declined": pm.add_card("4000000000000002", 12, 2035).id,
            "bank": pm.add_bank_account("110000000", "000123456789").id,
            "returned": pm.add_bank_account("110000000", "000111111116").id,
        }

    def teardown(self) -> None:
        if hasattr(self, "client"):
            self.client.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def today(self) -> dt.date:
        return self.client.sandbox.clock().now.date()

    @rule(
        cents=st.integers(min_value=1, max_value=60_000),
        method=st.sampled_from(["card", "declined", "bank", "returned"]),
        days_ahead=st.sampled_from([0, 0, 1, 5]),
    )
    def pay(self, cents: int, method: str, days_ahead: int) -> None:
        when = self.today() + dt.timedelta(days=days_ahead) if days_ahead else None
        try:
            self.client.payments.create(cents, method_id=self.methods[method], scheduled_for=when)
        except (PaymentError, InvalidRequestError):
            pass  # a decline or an amount over the limit: nothing may change

    @rule()
    def pay_the_statement(self) -> None:
        bill = self.client.statements.get()
        if bill.balance_cents > 0:
            try:
                self.client.payments.create(bill.balance_cents, statement_id=bill.id)
            except ConflictError:
                pass  # a scheduled payment already covers it

    @precondition(lambda self: hasattr(self, "client"))
    @rule(data=st.data())
    def cancel_one(self, data: st.DataObject) -> None:
        scheduled = [
            p for p in self.client.payments.list(limit=100).data if p.status == "scheduled"
        ]
        if scheduled:
            self.client.payments.cancel(data.draw(st.sampled_from(scheduled)).id)

    @rule(days=st.integers(min_value=1, max_value=20))
    def time_passes(self, days: int) -> None:
        self.client.sandbox.advance_clock(days * 86400)

    @invariant()
    def balance_is_charges_minus_credited_payments(self) -> None:
        if not hasattr(self, "client"):
            return
        summary = self.client.account.summary()
        charged = sum(s.total_cents for s in self.client.statements.iter(page_size=100))
        payments = []
        page = self.client.payments.list(limit=100)
        payments += page.data
        while page.has_more:
            page = self.client.payments.list(limit=100, starting_after=page.data[-1].id)
            payments += page.data
        credited = sum(p.amount_cents for p in payments if p.status in ("succeeded", "processing"))
        assert summary.balance_cents == charged + summary.unbilled_cents - credited
        latest = self.client.statements.get()
        assert 0 <= latest.balance_cents <= max(latest.amount_due_cents, 0)


Ledger.TestCase.settings = settings(
    max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
)
test_no_cent_appears_or_vanishes = Ledger.TestCase

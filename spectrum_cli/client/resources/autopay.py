from __future__ import annotations

from spectrum_cli.api import routes
from spectrum_cli.api.billing import Autopay, AutopayUpdate
from spectrum_cli.client.resources._base import Resource


class AutopayResource(Resource):
    def get(self) -> Autopay:
        return self._get(routes.AUTOPAY, Autopay)

    def enable(self, method_id: str, *, idempotency_key: str | None = None) -> Autopay:
        """Turn autopay on with this method (or switch to it). Close to a due date it starts
        with the next statement: see ``effective_from_statement_date``."""
        return self._send(
            "PUT",
            routes.AUTOPAY,
            Autopay,
            AutopayUpdate(method_id=method_id),
            idempotency_key=idempotency_key,
        )

    def disable(self, *, idempotency_key: str | None = None) -> Autopay:
        """Turn autopay off. Close to a due date that charge still happens: see
        ``ends_after_statement_date``."""
        return self._send("DELETE", routes.AUTOPAY, Autopay, idempotency_key=idempotency_key)

from __future__ import annotations

from spectrum_cli.api import routes
from spectrum_cli.api.account import AccountSummary, ServiceList
from spectrum_cli.client.resources._base import Resource


class AccountResource(Resource):
    def summary(self) -> AccountSummary:
        """The dashboard: balance, due date, services, equipment, autopay and alerts."""
        return self._get(routes.ACCOUNT, AccountSummary)

    def services(self) -> ServiceList:
        return self._get(routes.SERVICES, ServiceList)

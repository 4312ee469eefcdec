from __future__ import annotations

from collections.abc import Iterator

from spectrum_cli.api import routes
from spectrum_cli.api.billing import Statement, StatementList, StatementSummary
from spectrum_cli.client.resources._base import Resource
from spectrum_cli.client.resources._paths import path


class StatementsResource(Resource):
    def list(self, *, limit: int = 12, starting_after: str | None = None) -> StatementList:
        """One page, newest first."""
        return self._get(
            routes.STATEMENTS,
            StatementList,
            params={"limit": limit, "starting_after": starting_after},
        )

    def iter(self, page_size: int = 50) -> Iterator[StatementSummary]:
        """Every statement, newest first, fetching pages as needed."""
        after = None
        while True:
            page = self.list(limit=page_size, starting_after=after)
            yield from page.data
            if not page.has_more or not page.data:
                return
            after = page.data[-1].id

    def get(self, statement_id: str = routes.LATEST) -> Statement:
        """One statement with line items; the default, ``latest``, is the newest."""
        return self._get(path(routes.STATEMENT, statement_id=statement_id), Statement)

    def upcoming(self) -> Statement:
        """The next statement as the server would issue it if nothing changes."""
        return self._get(routes.STATEMENT_UPCOMING, Statement)

    def pdf(self, statement_id: str = routes.LATEST) -> bytes:
        response = self._client.request(
            "GET",
            path(routes.STATEMENT_PDF, statement_id=statement_id),
            headers={"Accept": "application/pdf"},
        )
        return response.content

"""What every resource shares: typed GET/POST/PUT/DELETE over the client's request loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from spectrum_cli.client._client import SpectrumClient

M = TypeVar("M", bound=BaseModel)


class Resource:
    def __init__(self, client: SpectrumClient) -> None:
        self._client = client

    def _get(
        self,
        path: str,
        model: type[M],
        *,
        params: dict[str, Any] | None = None,
        authenticated: bool = True,
        headers: dict[str, str] | None = None,
    ) -> M:
        response = self._client.request(
            "GET", path, params=params, authenticated=authenticated, headers=headers
        )
        return self._client.parse(response, model)

    def _send(
        self, method: str, path: str, model: type[M], body: BaseModel | None = None, **kwargs: Any
    ) -> M:
        response = self._client.request(method, path, json=_dump(body), **kwargs)
        return self._client.parse(response, model)

    def _send_no_content(
        self, method: str, path: str, body: BaseModel | None = None, **kwargs: Any
    ) -> None:
        self._client.request(method, path, json=_dump(body), **kwargs)


def _dump(body: BaseModel | None) -> Any:
    return None if body is None else body.model_dump(mode="json", exclude_unset=True)

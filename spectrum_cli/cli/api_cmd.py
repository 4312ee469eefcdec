"""`spectrum api`: one raw request to the Account API, as `gh api`, with the profile's
credentials and the client's request loop (retries, token refresh, idempotency keys)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError

if TYPE_CHECKING:
    import httpx

    from spectrum_cli.client import SpectrumClient

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_CREDENTIAL = (
    "the profile's credentials are sent for you (spectrum login, -p, SPECTRUM_TOKEN), and a "
    "credential on the command line is visible to other users of this machine"
)
# Headers `-H` may not set, and why.
REFUSED_HEADERS = {
    "authorization": _CREDENTIAL,
    "proxy-authorization": _CREDENTIAL,
    "cookie": _CREDENTIAL,
    "sandbox-key": "the sandbox admin key is read from SPECTRUM_SANDBOX_KEY or the key file "
    "beside the store, never from the command line",
    "idempotency-key": "use --idempotency-key KEY",
    "host": "the client sets it from --api-url",
    "content-length": "the client sets it",
    "transfer-encoding": "the client sets it",
    "connection": "the client sets it",
}
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
_KEY = re.compile(r"([^\[\]=]+)((?:\[[^\[\]=]*\])*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}

MethodAndPath = Annotated[
    list[str],
    typer.Argument(
        metavar="[METHOD] PATH",
        help="GET, POST, PUT, PATCH or DELETE [default: GET, or POST with fields or --input], "
        "then a path under the API URL such as /v1/account (ids in it percent-encoded by you).",
        show_default=False,
    ),
]
RawFieldOption = Annotated[
    list[str] | None,
    typer.Option(
        "--raw-field", "-f", metavar="KEY=VALUE", help="A string field.", show_default=False
    ),
]
FieldOption = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        "-F",
        metavar="KEY=VALUE",
        help="A typed field: true, false, null and numbers are JSON; @FILE is the file's text "
        "(@- standard input); anything else a string.",
        show_default=False,
    ),
]
HeaderOption = Annotated[
    list[str] | None,
    typer.Option(
        "--header",
        "-H",
        metavar="HEADER",
        help="An extra header, as 'Name: value'.",
        show_default=False,
    ),
]
InputOption = Annotated[
    Path | None,
    typer.Option(
        "--input",
        metavar="FILE",
        help="The request body, sent as it is (- for standard input); fields then go in the "
        "query string.",
        show_default=False,
    ),
]
PaginateOption = Annotated[
    bool,
    typer.Option("--paginate", help="GET every page (has_more, starting_after) as one list."),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        metavar="KEY",
        help="The Idempotency-Key of an unsafe request [default: a new one for each run]; "
        "the same key never acts twice.",
        show_default=False,
    ),
]
OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output-file",
        metavar="FILE",
        help="Save the answer's body, as it came, to FILE (needed for answers that are not "
        "JSON, such as a statement PDF).",
        show_default=False,
    ),
]


def api(
    ctx: typer.Context,
    method_and_path: MethodAndPath,
    raw_field: RawFieldOption = None,
    field: FieldOption = None,
    header: HeaderOption = None,
    input_file: InputOption = None,
    paginate: PaginateOption = False,
    idempotency_key: KeyOption = None,
    output_file: OutputFileOption = None,
) -> None:
    """Send a request to the Account API and print its JSON answer (as `gh api`).

    It signs in as the profile does, retries what is safe to retry, sends an Idempotency-Key
    on every unsafe request, and exits with the same status as any command (404 is 5, 401 is
    3). Fields are query parameters for GET and a JSON body otherwise; KEY[SUB]=VALUE nests
    and KEY[]=VALUE appends. -o, --query and -q work as everywhere.

        spectrum api /v1/account
        spectrum api '/v1/payments?limit=5' --query 'data[].id'
        spectrum api /v1/statements --paginate -o csv
        spectrum api POST /v1/payments -F amount_cents=1000 -F statement_id=latest \\
            --idempotency-key rent-2026-11
        spectrum api /v1/statements/latest/pdf --output-file bill.pdf
    """
    state = get_state(ctx)
    method, path, query = _method_and_path(method_and_path, bool(raw_field or field or input_file))
    fields = _fields(state, raw_field or [], field or [])
    content = _read_input(state, input_file) if input_file is not None else None
    _check_options(method, content, paginate, idempotency_key, output_file)
    json_body = None
    if method == "GET" or content is not None:
        query += _query(fields)
    elif fields:
        json_body = fields
    request = {"json": json_body, "content": content, "headers": _headers(header or [])}
    client = _client(state, path)
    if paginate:
        state.out.show(_all_pages(client, path, query, request), render=_pretty)
        return
    response = _send(client, method, path, query, request, idempotency_key)
    _print_answer(state, response, output_file)


def _method_and_path(words: list[str], has_body: bool) -> tuple[str, str, list[tuple[str, str]]]:
    """The method, the path (checked by the client's rule) and the query the path carried."""
    from urllib.parse import parse_qsl

    from spectrum_cli.client import InvalidPathError, check_path
    from spectrum_cli.client._urlpath import is_absolute_url

    if len(words) > 2:
        raise CliError("Give at most a method and a path, e.g. `spectrum api POST /v1/...`.")
    method = words[0].upper() if len(words) == 2 else ("POST" if has_body else "GET")
    if method not in METHODS:
        raise CliError(f"Not a method: {words[0]!r}; use one of {', '.join(METHODS)}.")
    path, _, query = words[-1].partition("?")
    if not path.startswith("/") and not is_absolute_url(path):
        path = "/" + path  # `spectrum api v1/account`, as gh takes `repos/...`
    try:
        check_path(path)
    except InvalidPathError as exc:
        raise CliError(str(exc)) from None
    return method, path, parse_qsl(query, keep_blank_values=True)


def _check_options(
    method: str,
    content: bytes | None,
    paginate: bool,
    key: str | None,
    output_file: Path | None,
) -> None:
    if method == "GET" and content is not None:
        raise CliError("A GET request has no body: give --input with POST, PUT, PATCH or DELETE.")
    if paginate and (method != "GET" or output_file is not None):
        raise CliError(
            "--paginate reads JSON pages with GET; leave out the method and --output-file."
        )
    if key is not None:
        from spectrum_cli.cli.parsing import parse_idempotency_key

        parse_idempotency_key(key)
        if method == "GET":
            raise CliError(
                "--idempotency-key goes with POST, PUT, PATCH or DELETE; a GET is safe to repeat."
            )


def _fields(state: State, raw: list[str], typed: list[str]) -> dict[str, Any]:
    """-f and -F as one object: -f values are strings, -F values typed or read from a file."""
    fields: dict[str, Any] = {}
    for flag, given in (("-f", raw), ("-F", typed)):
        for text in given:
            key, sep, value = text.partition("=")
            if not sep or not key:
                raise CliError(f"{flag} {text!r}: give KEY=VALUE.")
            names = _key_names(key, flag)
            if flag == "-F" and value.startswith("@"):
                _put(fields, names, key, _read_text(state, value[1:]))
                continue
            _refuse_secret(flag, key, names[-1] or names[0])
            _put(fields, names, key, _typed(value) if flag == "-F" else value)
    return fields


def _key_names(key: str, flag: str) -> list[str]:
    """``a[b][]`` → ``["a", "b", ""]``."""
    match = _KEY.fullmatch(key)
    if match is None:
        raise CliError(f"{flag} {key!r}: a key is NAME, NAME[SUB] or NAME[] (to append).")
    return [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]


def _put(fields: dict[str, Any], names: list[str], key: str, value: Any) -> None:
    node: Any = fields
    for name, after in itertools.pairwise(names):
        if name == "":
            raise CliError(f"{key!r}: [] goes only at the end of a key.")
        kind = list if after == "" else dict
        node = node.setdefault(name, kind())
        if not isinstance(node, kind):
            raise CliError(f"{key!r} does not fit with an earlier field of the same name.")
    if names[-1] == "":
        node.append(value)
    elif names[-1] in node:
        raise CliError(f"{key!r} is given twice; use {names[0]}[]=... for a list.")
    else:
        node[names[-1]] = value


def _refuse_secret(flag: str, key: str, name: str) -> None:
    from spectrum_cli.api.routes import SECRET_FIELDS

    if name in SECRET_FIELDS:
        raise CliError(
            f"{flag} {key}=... would put a secret on the command line, where other users of "
            "this machine can see it.",
            hint=f"Read it from a file or standard input: -F {key}=@FILE, -F {key}=@-, "
            "or --input FILE.",
        )


def _typed(value: str) -> Any:
    if value in _LITERALS:
        return _LITERALS[value]
    if _NUMBER.fullmatch(value):
        return int(value) if re.fullmatch(r"-?[0-9]+", value) else float(value)
    return value


def _read_bytes(state: State, name: str) -> bytes:
    if name == "-":
        stream = getattr(state.stdin, "buffer", None)
        return stream.read() if stream is not None else state.stdin.read().encode()
    from spectrum_cli.fsutil import path_error

    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise path_error("read", name, exc) from None


def _read_text(state: State, name: str) -> str:
    """A -F KEY=@FILE value: the file's UTF-8 text without one final line break."""
    try:
        text = _read_bytes(state, name).decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"-F ...=@{name}: the file is not UTF-8 text.") from None
    return text.removesuffix("\n").removesuffix("\r")


def _read_input(state: State, path: Path) -> bytes:
    return _read_bytes(state, str(path))


def _query(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """Fields as query parameters: a list repeats its name; objects do not fit in a query."""
    import json

    pairs = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                raise CliError(f"{name}: nested fields go in a JSON body, not a query string.")
            pairs.append((name, item if isinstance(item, str) else json.dumps(item)))
    return pairs


def _headers(given: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for text in given:
        name, sep, value = text.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not _HEADER_NAME.fullmatch(name) or not _HEADER_VALUE.fullmatch(value):
            raise CliError(f"-H {text!r}: give 'Name: value' in visible ASCII.")
        why = REFUSED_HEADERS.get(name.lower())
        if why is not None:
            raise CliError(f"-H {name}: not allowed: {why}.")
        headers[name] = value
    return headers


def _client(state: State, path: str) -> SpectrumClient:
    """Signed in when the profile is; a sandbox control route gets the sandbox key instead."""
    from spectrum_cli.api import routes

    if path.startswith(routes.SANDBOX_PREFIX):
        return state.client(authenticated=False, sandbox_key=True)
    return state.client(authenticated=state.credential() is not None)


def _send(
    client: SpectrumClient,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    request: dict[str, Any],
    key: str | None,
) -> httpx.Response:
    from spectrum_cli.api import routes

    headers = dict(request["headers"])
    if client.sandbox_key and path.startswith(routes.SANDBOX_PREFIX):
        headers[routes.SANDBOX_KEY_HEADER] = client.sandbox_key
    if request["content"] is not None and not any(h.lower() == "content-type" for h in headers):
        headers["Content-Type"] = "application/json"
    return client.request(
        method,
        path,
        json=request["json"],
        content=request["content"],
        params=_grouped(query),
        headers=headers,
        idempotency_key=key,
        authenticated=client.session is not None or client.token is not None,
    )


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _all_pages(
    client: SpectrumClient, path: str, query: list[tuple[str, str]], request: dict[str, Any]
) -> Any:
    """Every item of a list, page after page (`starting_after` the last item's id), as one
    page; an answer that is not a page is returned as it is."""
    items: list[Any] = []
    seen: set[str] = set()
    while True:
        answer = _json_answer(_send(client, "GET", path, query, request, None))
        if not (isinstance(answer, dict) and isinstance(answer.get("data"), list)):
            return answer
        items += answer["data"]
        if not answer.get("has_more") or not answer["data"]:
            return {"data": items, "has_more": False}
        last = answer["data"][-1]
        cursor = last.get("id") if isinstance(last, dict) else None
        if not isinstance(cursor, str) or cursor in seen:
            raise CliError(f"Cannot page through {path}: its items carry no id to go on from.")
        seen.add(cursor)
        query = [(k, v) for k, v in query if k != "starting_after"] + [("starting_after", cursor)]


def _is_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _json_answer(response: httpx.Response) -> Any:
    if not _is_json(response):
        kind = response.headers.get("content-type", "an unknown type")
        raise CliError(
            f"The answer is {kind} ({len(response.content)} bytes), not JSON; nothing was printed.",
            hint="Save it with --output-file FILE, e.g. "
            "spectrum api /v1/statements/latest/pdf --output-file bill.pdf",
        )
    return response.json()


def _print_answer(state: State, response: httpx.Response, output_file: Path | None) -> None:
    """JSON through the output sink; any body to --output-file as it came; no body, a line on
    stderr."""
    if output_file is not None:
        from spectrum_cli.fsutil import path_error, write_atomic

        try:
            write_atomic(output_file, response.content, mode=0o600)
        except OSError as exc:
            raise path_error("save", output_file, exc) from None
        kind = response.headers.get("content-type", "unknown type")
        state.out.message(f"Saved {len(response.content)} bytes ({kind}) to {output_file}.")
    elif not response.content:
        state.out.message(f"{response.status_code} {response.reason_phrase}: no content.")
    else:
        state.out.show(_json_answer(response), render=_pretty)


def _pretty(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False)

"""The contract: openapi.json is current, and the import rules hold: `api` imports only
pydantic and the standard library, `client` never `cli` or `sandbox`, `sandbox` never `client`
or `cli`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import REPO


def test_openapi_json_is_current() -> None:
    from scripts.export_openapi import render

    committed = (REPO / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(), "openapi.json is stale: run python -m scripts.export_openapi"


def test_every_error_answer_is_documented_as_the_envelope() -> None:
    doc = json.loads((REPO / "openapi.json").read_text(encoding="utf-8"))
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "422" not in responses, f"{method} {path}"
            schema = responses["default"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, f"{method} {path}"


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        (
            "spectrum_cli.api.billing",
            {
                "httpx",
                "fastapi",
                "starlette",
                "spectrum_cli.client",
                "spectrum_cli.sandbox",
                "spectrum_cli.cli",
            },
        ),
        (
            "spectrum_cli.client",
            {"fastapi", "starlette", "spectrum_cli.sandbox", "spectrum_cli.cli", "typer"},
        ),
        ("spectrum_cli.sandbox.app", {"spectrum_cli.client", "spectrum_cli.cli", "typer"}),
    ],
)
def test_import_rules(module: str, forbidden: set[str]) -> None:
    loaded = _modules_after_import(module)
    leaked = {m for m in loaded if m in forbidden or any(m.startswith(f + ".") for f in forbidden)}
    assert not leaked, f"{module} pulls in {sorted(leaked)}"


def test_api_package_imports_only_pydantic_and_the_standard_library() -> None:
    loaded = _modules_after_import(
        "spectrum_cli.api.auth, spectrum_cli.api.account, spectrum_cli.api.billing, "
        "spectrum_cli.api.profile, spectrum_cli.api.support, spectrum_cli.api.sandbox, "
        "spectrum_cli.api.recovery, spectrum_cli.api.routes"
    )
    third_party = (
        {m.split(".")[0] for m in loaded}
        - set(sys.stdlib_module_names)
        - {
            "spectrum_cli",
            "pydantic",
            "pydantic_core",
            "typing_extensions",
            "annotated_types",
            "typing_inspection",
            "_distutils_hack",
            "sitecustomize",
            "__main__",
        }
    )
    assert not {m for m in third_party if not m.startswith("_")}, third_party

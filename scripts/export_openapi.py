#!/usr/bin/env python3
"""Write openapi.json at the repository root from the sandbox app (tests fail when it is stale)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def render() -> str:
    from spectrum_cli.sandbox.app import openapi_document

    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = ROOT / "openapi.json"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)

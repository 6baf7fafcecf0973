"""config/README.md's key tables, generated from the schema so that the two cannot drift.

``python -m icegp.config.doc`` rewrites the generated part of config/README.md (between BEGIN and END);
``python -m icegp.config.doc --check`` exits 1 when it is out of date (the tests check it too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from icegp.config import schema

README = Path(__file__).resolve().parents[3] / "config" / "README.md"
BEGIN = (
    "<!-- keys: generated from src/icegp/config/schema.yaml by `python -m icegp.config.doc`; do not edit by hand -->"
)
END = "<!-- end of generated keys -->"


def shown(value) -> str:
    """A default as the config file would spell it."""
    if isinstance(value, str):
        return f"`{value}`"
    return yaml.safe_dump(value, default_flow_style=True, width=1000, sort_keys=False).strip().removesuffix("\n...")


def per_type_defaults(item: dict) -> dict[str, str]:
    """A source key's defaults by source type (from the schema's if/then branches)."""
    out: dict[str, list[str]] = {}
    for branch in item.get("allOf", []):
        kind = branch["if"]["properties"]["type"]["const"]
        for key, sub in branch["then"]["properties"].items():
            out.setdefault(key, []).append(f"{kind}: {shown(sub['default'])}")
    return {key: "; ".join(values) for key, values in out.items()}


def rows(properties: dict, prefix: str = "", defaults=None, required=()) -> list[tuple[str, str, str]]:
    """(key, default, meaning) for every described key, nested keys as `a.b`; `defaults` are shown
    for keys whose default the schema gives elsewhere (a source's, by type)."""
    out = []
    for key, sub in properties.items():
        name = f"{prefix}{key}"
        if "description" in sub:
            default = sub.get("default", {})
            shown_default = (
                "required"
                if key in required
                else (defaults or {}).get(key) or ("-" if default == {} else shown(default))
            )
            out.append((name, shown_default, " ".join(sub["description"].split())))
        if "properties" in sub:
            out += rows(sub["properties"], f"{name}.")
    return out


def table(entries) -> str:
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| `{k}` | {d} | {m} |" for k, d, m in entries]
    return "\n".join(lines)


def render(doc: dict | None = None) -> str:
    """The generated Markdown: the top-level keys, then one table per section."""
    doc = doc or schema()
    props, required = doc["properties"], doc["required"]
    top = [(k, d, m) for k, d, m in rows(props, required=required) if "." not in k and props[k].get("type") != "object"]
    parts = ["## Top level", table(top)]
    for key, sub in props.items():
        if sub.get("type") != "object":
            continue
        if isinstance(sub.get("additionalProperties"), dict):  # named entries: sources, runs
            item = sub["additionalProperties"]
            parts += [
                f"## `{key}`",
                " ".join(sub["description"].split()),
                table(rows(item["properties"], defaults=per_type_defaults(item), required=item.get("required", ()))),
            ]
        else:
            parts += [f"## `{key}`", table(rows(sub["properties"]))]
    return "\n\n".join(parts)


def rewritten(text: str, generated: str) -> str:
    """`text` with its generated part replaced by `generated`."""
    start, end = text.index(BEGIN), text.index(END)
    return f"{text[:start]}{BEGIN}\n{generated}\n{END}{text[end + len(END) :]}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if config/README.md is out of date")
    args = ap.parse_args(argv)
    text = README.read_text()
    new = rewritten(text, render())
    if args.check:
        if new != text:
            print(f"{README} is out of date: run python -m icegp.config.doc", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())

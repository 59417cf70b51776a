"""``raf explain RAFnnn``: the documentation of one diagnostic code."""

from __future__ import annotations

import click

from ..compiler.rules import RULES


@click.command("explain")
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code (e.g. RAF401); `raf explain all` lists them."""
    if code.lower() in {"all", "list"}:
        for rule in RULES.values():
            click.echo(f"{rule.code}  {rule.severity:<8} {rule.name}")
        return
    found = RULES.get(code.strip().upper())
    if found is None:
        raise click.BadParameter(f"unknown code {code!r}; `raf explain all` lists them",
                                 param_hint="CODE")
    click.echo(f"{found.code} {found.name} ({found.severity})\n")
    click.echo(found.doc.split("\n", 1)[1].strip() if "\n" in found.doc else found.doc)

"""`newsdesk keys`: add, list and remove API keys."""

from __future__ import annotations

import click

from ..config import Settings
from ..keys import DEFAULT_ROLE, ROLES


@click.group("keys")
def keys_group() -> None:
    """Add, list and remove API keys (used when NEWSDESK_API_KEYS=1)."""


ROLE_HELP = ("translate: translates with the glossary and the memory; edit: also stores, changes and deletes "
             "their entries and lists the desks' corrections; admin: also replaces or empties the whole glossary")


@keys_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=DEFAULT_ROLE, show_default=True, help=ROLE_HELP)
@click.pass_obj
def add_key(settings: Settings, name: str, role: str) -> None:
    """Create a key called NAME and print it (it is shown only this once)."""
    from .. import keys

    record, key = keys.add_key(settings, name, role=role)
    click.echo(key)
    click.echo(f"added key {record.name!r} ({record.role}) to {keys.location(settings)}; it is shown only now, so store it"
               + ("" if settings.api_keys else " (keys are not required yet: set NEWSDESK_API_KEYS=1)"), err=True)


@keys_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_obj
def set_role(settings: Settings, name: str, role: str) -> None:
    """Give the key called NAME the ROLE (translate, edit or admin); it holds from its next request."""
    from .. import keys

    record = keys.set_role(settings, name, role)
    click.echo(f"key {record.name!r} ({record.hint}) now has the role {record.role}")


@keys_group.command("list")
@click.pass_obj
def list_keys(settings: Settings) -> None:
    """Show every key's name, role, first characters and creation time."""
    from .. import keys

    records = keys.list_keys(settings)
    if not records:
        click.echo(f"no keys in {keys.location(settings)}; add one with `newsdesk keys add NAME`")
    for record in records:
        click.echo(f"{record.name}  {record.role}  {record.hint}  {record.created}")


@keys_group.command("remove")
@click.argument("name")
@click.pass_obj
def remove_key(settings: Settings, name: str) -> None:
    """Remove the key called NAME: requests using it are refused at once."""
    from .. import keys

    record = keys.remove_key(settings, name)
    click.echo(f"removed key {record.name!r} ({record.hint})")

"""``bwq create-user`` and ``bwq create-token``: accounts made by an operator."""

from __future__ import annotations

import click

from bwq_lab.cli import bwq
from bwq_lab.models.user import ROLES


def _fail(exc) -> None:
    """An operation's problems as a click error (exit code 1), one line each."""
    from bwq_lab.edge.messages import localize

    localize(exc.problems)
    lines = [f"{p.field}: {p.message}" if p.field else p.message for p in exc.problems]
    raise click.ClickException("\n".join(lines) or str(exc))


@bwq.command("create-user")
@click.option("--email", required=True, help="Sign-in e-mail address (unique).")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--password",
    required=True,
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters (prompted when left out).",
)
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option(
    "--enterprise-code",
    metavar="USCC",
    help="enterprise: the 18-character unified social credit code (creates or joins the enterprise).",
)
@click.option("--enterprise-name", metavar="NAME", help="enterprise: the name, when the enterprise is new.")
@click.option(
    "--category",
    "enterprise_category",
    default="tech_sme",
    show_default=True,
    help="enterprise: the programme target group, when the enterprise is new.",
)
@click.option(
    "--provider",
    "provider_id",
    type=int,
    metavar="ID",
    help="manager: the provider whose instruments and services they manage (all of them).",
)
@click.option(
    "--city",
    "city_name",
    metavar="NAME",
    help="city_admin: their city; enterprise: the city of a new enterprise (杭州 or Hangzhou).",
)
@click.option(
    "--county",
    "county_name",
    metavar="NAME",
    help="county_admin: their county (西湖区 or Xihu); add --city when several counties share the name.",
)
def create_user(**options) -> None:
    """Create a user of any role.

    \b
    enterprise      --enterprise-code USCC [--enterprise-name NAME --city NAME]
                    (joining an enterprise that already has an active user waits for its approval)
    manager         --provider ID   (manages every instrument and service of the provider)
    city_admin      --city NAME
    county_admin    --county NAME [--city NAME]
    province_admin  (nothing else)
    """
    from bwq_lab.errors import OperationError
    from bwq_lab.extensions import db
    from bwq_lab.operations.accounts import create_user as create

    try:
        user = create(**options)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        _fail(exc)
    where = ""
    if user.enterprise is not None:
        where = f" of {user.enterprise.name} ({user.enterprise.uscc}, membership {user.membership})"
    elif user.provider is not None:
        where = f" of provider {user.provider.id} {user.provider.name}"
    elif user.county is not None:
        where = f" for {user.county.name}, {user.city.name}"
    elif user.city is not None:
        where = f" for {user.city.name}"
    click.echo(f"created {user.role} user {user.id} <{user.email}>{where}")


@bwq.command("create-token")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="A label for the token, e.g. the script that uses it.")
def create_token(email: str, name: str) -> None:
    """Create a personal access token and print it once (only its digest is stored).

    Use it as ``Authorization: Bearer <token>``; revoke it on the user's account page."""
    from bwq_lab import clock
    from bwq_lab.errors import OperationError
    from bwq_lab.extensions import db
    from bwq_lab.operations import audit
    from bwq_lab.operations.accounts import find_user_by_email, issue_token

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user has the e-mail address {email}")
    audit.origin.set("cli")
    try:
        _token, plain = issue_token(user, name, now=clock.now())
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        _fail(exc)
    click.echo(plain)

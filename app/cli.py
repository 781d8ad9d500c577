"""Flask CLI commands: demo data, staff users, API tokens.

Each command imports what it runs inside its function: every app (web workers included) registers these
commands, and should not load the simulator, the scheduler or the demo county to do so."""

from __future__ import annotations

import click
from flask import Flask

from app.config import settings
from app.extensions import db
from app.unit_of_work import unit_of_work


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(plan_command)
    app.cli.add_command(replan_command)
    app.cli.add_command(gazetteer)
    app.cli.add_command(scheduler)
    app.cli.add_command(notifications)
    app.cli.add_command(retention)
    app.cli.add_command(rota)
    app.cli.add_command(simulate_command)


@click.group(help="The demo county.")
def demo() -> None:
    pass


@demo.command("load", help="Load the demo county (idempotent).")
def demo_load() -> None:
    from app.demo.load import load_demo

    with unit_of_work():
        result = load_demo()
    click.echo(
        f"Demo county: {result['hubs']} hubs, {result['services']} services, "
        f"{result['officers']} officers, {result['customers']} customers."
    )
    if result["users_created"]:
        click.echo("\nStaff sign-in (shown once; reset with 'flask --app wsgi users password'):")
        shown = [u for u in result["users_created"] if u[1] != "officer"] + [
            u for u in result["users_created"] if u[1] == "officer"
        ][:2]
        for email, role in shown:
            click.echo(f"  {role:<10} {email}")
        officers = sum(1 for _e, r in result["users_created"] if r == "officer")
        if officers > 2:
            click.echo(f"  ...and {officers - 2} more officers (firstname.lastname@wiltshire.example)")
        click.echo(f"  password for all of them: {result['password']}\n")
    if result["kiosk"]:
        from app.appointments.links import external_url

        hub, token = result["kiosk"]
        link = external_url("kiosk.activate", token=token)
        click.echo(
            f"Demo kiosk at {hub}, shown once: open this link in the browser that is to be\n"
            f"the kiosk and press 'Set up this kiosk':\n  {link}\n"
            "(A new link: sign in as the admin, Kiosks, 'New activation link'.)\n"
        )


@demo.command("bookings", help="Book demo visits through the booking engine until COUNT are booked.")
@click.option("--count", default=150, show_default=True)
@click.option(
    "--days", default=14, show_default=True, help="Spread over this many days from the next working day."
)
@click.option(
    "--today", default=20, show_default=True, help="Of them, up to this many later today (a working day)."
)
def demo_bookings(count: int, days: int, today: int) -> None:
    from app.demo.bookings import book_demo_visits, visits_today

    added = book_demo_visits(count, days=days, today=today)
    click.echo(f"Booked {added} demo visits; {visits_today()} visits are today.")


@click.group(help="Staff users.")
def users() -> None:
    pass


@users.command("create", help="Create a staff user.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["agent", "officer", "supervisor", "admin"]))
@click.option("--name", default="")
@click.option("--password", default=None, help="Asked for when not given; blank to generate one.")
def users_create(email: str, role: str, name: str, password: str | None) -> None:
    from app.staff.passwords import generate_password, password_problem
    from app.staff.staff import StaffError, create_user

    if password is None:
        password = click.prompt(
            "Password (blank to generate)", default="", hide_input=True, show_default=False
        )
    generated = not password
    password = password or generate_password()
    if problem := password_problem(password, user_inputs=[email, name]):
        raise click.ClickException(problem)
    try:
        with unit_of_work():
            user = create_user(email, role, password, name)
    except StaffError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users.command("password", help="Set a new password for a staff user.")
@click.option("--email", required=True)
def users_password(email: str) -> None:
    from app.staff.passwords import generate_password
    from app.staff.staff import api_tokens_left, set_password

    user = _user(email)
    password = generate_password()
    with unit_of_work():
        set_password(user, password)  # also signs the user out everywhere, ends phones and calendar feed
    click.echo(f"New password for {user.email} (shown once): {password}")
    click.echo("Their sessions, trusted work phones and calendar feed have ended.")
    if left := api_tokens_left(user):
        click.echo(
            f"They still have {left} working API token(s): a password reset leaves them working. List them "
            "with 'flask --app wsgi tokens list' and revoke each with 'flask --app wsgi tokens revoke ID' "
            "(or at /admin/api-tokens); 'flask --app wsgi users deactivate' revokes them all."
        )


@users.command("deactivate", help="Switch off a leaver's sign-in: sessions, phones, tokens, calendar feed.")
@click.option("--email", required=True)
def users_deactivate(email: str) -> None:
    from app.officers.queries import future_visits
    from app.staff.staff import StaffError, officer_of, switch_off

    user = _user(email)
    try:
        with unit_of_work():
            ended = switch_off(user)
    except StaffError as error:  # the only admin who can sign in
        raise click.ClickException(str(error)) from None
    feed = "stopped" if ended.calendar_feed else "none"
    click.echo(
        f"Switched off {user.email}: sessions ended, {ended.phones} trusted phone(s) switched off, "
        f"{ended.api_tokens} API token(s) revoked, calendar feed {feed}."
    )
    officer = officer_of(user)
    if officer is not None:
        held = future_visits().get(officer.id, 0)
        click.echo(f"Their officer record is switched off. They still hold {held} booked visit(s)")
        if held:
            click.echo(f"  re-plan them at /supervisor/replan?officer={officer.id}")


@users.command("activate", help="Let a switched-off user sign in again (phones, tokens, feed stay ended).")
@click.option("--email", required=True)
def users_activate(email: str) -> None:
    from app.staff.staff import switch_on

    user = _user(email)
    with unit_of_work():
        switch_on(user)
    click.echo(f"{user.email} can sign in again.")


@click.group(help="API bearer tokens.")
def tokens() -> None:
    pass


@tokens.command("create", help="Print a new API bearer token for a user, once.")
@click.option("--email", required=True)
@click.option("--name", default="", help="What the token is for, e.g. 'council website'.")
def tokens_create(email: str, name: str) -> None:
    from app.staff import audit
    from app.staff.tokens import create_token

    user = _user(email)
    with unit_of_work():
        secret = create_token(user, name)
        audit.record("api_token_created", "user", user.id, user=user, name=name)
    click.echo(secret)


@tokens.command("list", help="List the API tokens that work (id, prefix, user, name, last used).")
def tokens_list() -> None:
    from app.staff.tokens import active_tokens

    for token in active_tokens():
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        click.echo(f"{token.id:>5}  {token.prefix}  {token.user.email}  {token.name or '-'}  {used}")


@tokens.command("revoke", help="Stop one API token working, by its id or the prefix it starts with.")
@click.argument("token_ref")
def tokens_revoke(token_ref: str) -> None:
    from app.staff.tokens import find_token, revoke

    token = find_token(token_ref)
    if token is None:
        raise click.ClickException(f"No API token with id or prefix {token_ref}")
    if token.revoked_at is not None:
        raise click.ClickException(f"Token {token.prefix} was already revoked")
    with unit_of_work():
        revoke(token)
    click.echo(f"Revoked {token.prefix} ({token.user.email})")


def _print_summary(summary) -> None:
    click.echo(
        f"{summary.day:%A %d %B %Y}: {summary.officers} officers working, {summary.visits} visits planned, "
        f"{summary.distance_m / 1000:.1f} km, {summary.travel_seconds / 3600:.1f} hours of travel, "
        f"{len(summary.unassigned)} unassigned."
    )
    for appointment, officer in summary.moved:
        click.echo(f"  moved {appointment.reference} to {officer.name}")
    for appointment in summary.unassigned:
        click.echo(
            f"  NOT KEPT {appointment.reference}: call {appointment.customer.name} "
            f"on {appointment.customer.phone or 'no phone'} (on the call list)"
        )


@click.command("plan", help="Plan every officer's route for a day and store it.")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--time-limit", default=0.5, show_default=True, help="Seconds of search per officer.")
def plan_command(day, time_limit: float) -> None:
    from app.officers.queries import all_officers
    from app.planning.planning import hand_unplaced_to_supervisors, plan_day

    officers = all_officers(active_only=True)
    with unit_of_work(), click.progressbar(length=len(officers), label="Planning routes") as bar:
        summary = plan_day(day.date(), time_limit=time_limit, progress=lambda _o: bar.update(1))
        hand_unplaced_to_supervisors(summary)
    _print_summary(summary)


@click.command("replan", help="Move an absent officer's visits for a day to colleagues.")
@click.option("--officer-id", required=True, type=int)
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--time-limit", default=3.0, show_default=True)
def replan_command(officer_id: int, day, time_limit: float) -> None:
    from app.models import Officer
    from app.planning.planning import NotAbsent, PlanChanged, replan_for_absence

    officer = db.session.get(Officer, officer_id)
    if officer is None:
        raise click.ClickException(f"No officer with id {officer_id}")
    try:
        summary = replan_for_absence(officer, day.date(), time_limit=time_limit)
    except NotAbsent as error:
        raise click.ClickException(f"{error}. Record the absence first (Admin, Officers).") from None
    except PlanChanged as error:
        raise click.ClickException(f"{error}. Run the command again.") from None
    _print_summary(summary)


@click.group(help="The address gazetteer.")
def gazetteer() -> None:
    pass


@gazetteer.command("import", help="Import Code-Point Open or LLPG/AddressBase-style CSV.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["auto", "codepoint", "llpg"]), default="auto", show_default=True
)
def gazetteer_import(path: str, fmt: str) -> None:
    from app.places.gazetteer import import_file

    with unit_of_work():
        report = import_file(path, fmt)
    click.echo(f"{report.added} addresses added, {report.updated} updated, {len(report.skipped)} skipped.")
    for reason in report.skipped[:20]:
        click.echo(f"  skipped {reason}")
    if len(report.skipped) > 20:
        click.echo(f"  ...and {len(report.skipped) - 20} more")


@click.group(help="The background scheduler process.")
def scheduler() -> None:
    pass


@scheduler.command("run", help="Run the scheduler (only one is active even if several are started).")
def scheduler_run() -> None:
    import logging

    from flask import current_app

    from app.scheduler import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s")
    run(current_app._get_current_object())


@scheduler.command("jobs", help="List every periodic duty: its id and trigger.")
def scheduler_jobs() -> None:
    from app.scheduler import describe

    for job_id, trigger, description in describe():
        click.echo(f"{job_id:<16} {trigger:<40} {description}")


@click.group(help="The on-duty rota: who receives safety escalations.")
def rota() -> None:
    pass


def _user(email: str):
    """The staff user with this email, or the command stops saying there is none."""
    from app.staff.staff import find_by_email

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}")
    return user


@rota.command("list", help="Show the weekly rota and who is on duty now.")
def rota_list() -> None:
    from app.forms.admin import WEEKDAYS
    from app.safety import rota as service

    for period in service.periods():
        click.echo(
            f"{period.id:>4}  {WEEKDAYS[period.weekday]:<9} {period.starts:%H:%M}-{period.ends:%H:%M}  "
            f"{period.user.email} {period.user.phone or '(no work mobile)'}"
        )
    now = service.on_duty()
    click.echo("On duty now: " + (", ".join(u.email for u in now) if now else "NOBODY"))


@rota.command("add", help="Put a supervisor or admin on duty each week on a day (0 = Monday), UK time.")
@click.option("--email", required=True)
@click.option("--weekday", required=True, type=click.IntRange(0, 6))
@click.option("--starts", required=True, help="24-hour time, like 08:00")
@click.option("--ends", required=True, help="24-hour time; before --starts means past midnight")
def rota_add(email: str, weekday: int, starts: str, ends: str) -> None:
    from app.safety import rota as service
    from app.timeutil import parse_clock

    try:
        start, end = parse_clock(starts), parse_clock(ends)
    except ValueError as error:
        raise click.ClickException(f"Times are 24-hour, like 08:00 (not {error})") from None
    if start is None or end is None:
        raise click.ClickException("Give both --starts and --ends")
    try:
        with unit_of_work():
            period = service.add_period(_user(email), weekday, start, end)
    except service.RotaError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Added period {period.id}")


@rota.command("remove", help="Remove a period (its number from 'rota list').")
@click.argument("period_id", type=int)
def rota_remove(period_id: int) -> None:
    from app.models import DutyPeriod
    from app.safety import rota as service

    period = db.session.get(DutyPeriod, period_id)
    if period is None:
        raise click.ClickException(f"No rota period {period_id}")
    with unit_of_work():
        service.remove_period(period)
    click.echo(f"Removed period {period_id}")


@rota.command("phone", help="Set a supervisor's or admin's work mobile (blank removes it).")
@click.option("--email", required=True)
@click.option("--phone", required=True)
def rota_phone(email: str, phone: str) -> None:
    from app.safety import rota as service

    user = _user(email)
    try:
        with unit_of_work():
            service.set_phone(user, phone)
    except service.RotaError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{user.email}: {user.phone or 'no work mobile'}")


@click.group(help="Messages: SMS, email and CRM webhooks.")
def notifications() -> None:
    pass


@notifications.command("dispatch", help="Send what is due.")
@click.option("--once", is_flag=True, help="Send what is due now and exit.")
def notifications_dispatch(once: bool) -> None:
    import time

    from app.messaging.dispatch import dispatch_due, replay_stuck
    from app.messaging.reminders import queue_due_reminders

    while True:
        with unit_of_work():
            queue_due_reminders()
        replay_stuck()  # dispatch and its replay own their units of work (app/messaging/dispatch.py)
        report = dispatch_due()
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        if once:
            return
        time.sleep(10)


@click.group(help="Data retention.")
def retention() -> None:
    pass


@retention.command("run", help="Remove personal data of appointments older than RETENTION_DAYS.")
@click.option("--days", type=int, default=None, help="Override RETENTION_DAYS for this run.")
def retention_run(days: int | None) -> None:

    from app.customers.retention import run

    with unit_of_work():
        report = run(days if days is not None else settings().retention_days)
    click.echo(
        f"Removed personal data from {report.appointments} appointments, {report.customers} customers, "
        f"{report.messages} messages; deleted {report.markers} old warning markers."
    )


@click.command("simulate", help="Run the real services on a virtual clock and count broken promises.")
@click.option("--days", default=20, show_default=True, type=click.IntRange(1, 366))
@click.option("--seed", default=1, show_default=True)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Write the counters here."
)
@click.option("--officers", type=click.IntRange(1, 1000), help="What if we had this many officers.")
@click.option(
    "--demand", type=float, help="Booking requests per working day (default: sized from the roster)."
)
@click.option(
    "--start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: the Monday after any visits)."
)
def simulate_command(days: int, seed: int, json_path: str | None, officers, demand, start) -> None:
    import json

    from app.simulation.runner import Settings, simulate

    def progress(day, so_far: dict) -> None:
        click.echo(f"{day:%Y-%m-%d} so far: {json.dumps(so_far)}", err=True)

    result = simulate(Settings(days, seed, officers, start.date() if start else None, demand), progress)
    text = json.dumps(result.counters, indent=2)
    if json_path:
        with open(json_path, "w") as handle:
            handle.write(text + "\n")
    click.echo(f"Simulated {days} days from {result.first_day:%A %d %B %Y}, seed {seed}.")
    for note in result.notes:
        click.echo(f"  {note}")
    for failure in result.job_failures:
        click.echo(f"  JOB FAILED {failure}", err=True)
    click.echo(text)

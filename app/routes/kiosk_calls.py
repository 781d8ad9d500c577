"""Kiosk video calls: "Talk to someone" at the kiosk, and the agents' side of the same calls.

Each end long-polls `.../news` for the other end's messages and the call's state, and posts its own
to `.../signal` (JSON, CSRF token in the X-CSRFToken header). The rules are in
app/kiosk/kiosk_calls.py and call_signalling.py; the browser ends in app/static/kiosk_call.js and
agent_call.js.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import records
from app.forms.kiosk_calls import CallBackForm
from app.i18n import current_locale
from app.inputs import BadInput, parse_number, whole_number_or_none
from app.kiosk import call_backs
from app.kiosk import call_signalling as signalling
from app.kiosk import kiosk_calls as calls
from app.messaging.contact import uk_phone
from app.routes.agent import AGENTS
from app.unit_of_work import unit_of_work
from app.web import journey, kiosk_session, resident_session
from app.web.access import kiosk, staff
from app.web.guards import limiter
from app.web.kiosk_session import current_device
from app.web.resident_session import BOOKED
from app.web.wiring import in_background

if TYPE_CHECKING:
    from app.models import KioskCall

bp = Blueprint("kiosk_calls", __name__, url_prefix="/kiosk/call")
agent_bp = Blueprint("agent_kiosk_calls", __name__, url_prefix="/agent/kiosk-calls")
MEDIA_ALLOWED = "camera=(self), microphone=(self), geolocation=()"  # only the two call pages


def _step(endpoint: str | None) -> str:
    service = journey.service()
    return calls.step_label(endpoint, service.name if service else "")


def _news_args() -> tuple[int, str, float]:
    try:
        wait = parse_number(request.args.get("wait") or 0)
    except BadInput:
        wait = 0.0
    return whole_number_or_none(request.args.get("after")) or 0, request.args.get("state", "")[:200], wait


def _signal(call: KioskCall, sender: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(errors={"body": ["Send a JSON object with kind and data"]}), 422
    try:
        with unit_of_work():
            signal = signalling.send(call, sender, body.get("kind"), body.get("data"))
            signal_id = signal.id
    except signalling.CallProblem as problem:
        return jsonify(errors=problem.errors), problem.status
    return jsonify(id=signal_id), 201


# The kiosk's end -----------------------------------------------------------------------------------


@bp.get("/")
@kiosk
def before():
    """The notice before a call starts, or (out of hours) when someone will be there."""
    call = kiosk_session.current_call()
    if call is not None and call.status != "ended":
        return redirect(url_for(".kiosk_call", call_id=call.id))
    step = request.args.get("step", "")
    form = CallBackForm(step=step if step in calls.STEPS else "kiosk.start")
    return render_template("kiosk/call_start.html", form=form, **_hours())


def _hours() -> dict:
    return {
        "phones_open": calls.phones_open(),
        "someone_there": calls.when_someone_is_there(locale=current_locale()),
        "call_backs": bool(calls.contact_centre_list()),
    }


@bp.post("/")
@kiosk
@limiter.limit("20 per hour")  # per kiosk: a queue of calls from one screen helps nobody
def start():
    device = current_device()
    endpoint = request.form.get("step", "")
    try:
        with unit_of_work():
            call = calls.start(device, request.form.get("mode", "video"), _step(endpoint), current_locale())
    except calls.PhonesClosed:
        return redirect(url_for(".before", step=endpoint if endpoint in calls.STEPS else None))
    kiosk_session.remember_call(call)
    return redirect(url_for(".kiosk_call", call_id=call.id))


@bp.get("/<int:call_id>")
@kiosk
def kiosk_call(call_id: int):
    call = kiosk_session.current_call(call_id) or abort(404)
    if call.status == "ended":
        return redirect(
            url_for(".ticket", call_id=call.id) if call.appointment_id else url_for("kiosk.start")
        )
    response = render_template(
        "kiosk/call.html",
        call=call,
        news=signalling.state(call, "kiosk"),
        after=signalling.latest_signal(call.id, "kiosk"),
        ice_servers=json.dumps(signalling.ice_servers()),
        form=CallBackForm(step=""),
        **_hours(),
    )
    return response, 200, {"Permissions-Policy": MEDIA_ALLOWED}


@bp.get("/<int:call_id>/news")
@kiosk
@in_background
def kiosk_news(call_id: int):
    call = kiosk_session.current_call(call_id)
    if call is None:
        return jsonify(errors={"call": ["This is not this kiosk's call"]}), 404
    after, known, wait = _news_args()
    with unit_of_work():
        signalling.mark_seen(call.id, "kiosk")
    return jsonify(signalling.wait(call.id, "kiosk", after, known, wait))


@bp.post("/<int:call_id>/signal")
@kiosk
@in_background
def kiosk_signal(call_id: int):
    call = kiosk_session.current_call(call_id)
    if call is None:
        return jsonify(errors={"call": ["This is not this kiosk's call"]}), 404
    return _signal(call, "kiosk")


@bp.get("/still-here")
@kiosk
def kiosk_still_here():
    """The call page asks every few minutes: this (short) request renews the kiosk's session cookie,
    which the long polls leave alone."""
    return "", 204


@bp.route("/call-back", methods=["GET", "POST"])
@kiosk
@limiter.limit("10 per hour", methods=["POST"])  # per kiosk: each one emails the contact centre
def call_back():
    """A phone number (a mobile or a landline) for the contact centre to ring back: while waiting, or out
    of hours."""
    device = current_device()
    form = CallBackForm()
    if form.validate_on_submit():
        call = kiosk_session.current_call()
        live = call if call is not None and call.status == "waiting" else None
        phone = uk_phone(form.phone.data) or ""
        with unit_of_work():
            step = live.step if live else _step(form.step.data)
            calls.request_call_back(device, phone, live, step, current_locale())
        kiosk_session.forget_call()
        return render_template(
            "kiosk/call_back_done.html",
            last_digits=phone[-3:],
            phones_open=calls.phones_open(),
            when=calls.when_someone_is_there(locale=current_locale()),
        )
    return render_template("kiosk/call_back.html", form=form)


@bp.get("/<int:call_id>/ticket")
@kiosk
def ticket(call_id: int):
    """The agent booked on the call: end it and show the kiosk's ticket page (print, then reset)."""
    call = kiosk_session.current_call(call_id) or abort(404)
    if call.appointment is None:
        return redirect(url_for("kiosk.start"))
    with unit_of_work():
        calls.end(call)
    resident_session.link(BOOKED, call.appointment)
    kiosk_session.forget_call()
    return redirect(url_for("kiosk.ticket"))


@bp.app_template_global()
def kiosk_talk_button() -> dict | None:
    """The "Talk to someone" button of the kiosk bar: none on the call pages themselves."""
    if request.blueprint == bp.name:
        return None
    label = _("Talk to someone")
    if not calls.phones_open():
        label = _("Talk to someone from %(when)s", when=calls.when_someone_is_there(locale=current_locale()))
    return {"label": label, "href": url_for("kiosk_calls.before", step=request.endpoint)}


# The agent's end ---------------------------------------------------------------------------------


def _own_call(call_id: int) -> KioskCall | None:
    call = records.kiosk_call(call_id)
    return call if call is not None and call.agent_id == current_user.id else None


@agent_bp.get("/")
@staff(*AGENTS)
def console():
    with unit_of_work():
        calls.touch_agent(current_user.id)
    return render_template(
        "agent/kiosk_calls.html",
        call_backs=call_backs.waiting(),
        rung=call_backs.recently_rung(),
        **calls.queue_view(current_user),
    )


@agent_bp.post("/call-backs/<int:call_id>")
@staff(*AGENTS)
def called_back(call_id: int):
    call = call_backs.call_back(call_id) or abort(404)
    with unit_of_work():
        first = call_backs.rung(call, current_user._get_current_object())
    hub = call.hub.name if call.hub else "a kiosk"
    flash(
        f"Called back: the resident from {hub}." if first else "Someone else had already called them back.",
        "success",
    )
    return redirect(url_for(".console"))


@agent_bp.get("/still-here")
@staff(*AGENTS)
def agent_still_here():
    """The console and call pages ask every few minutes: an open console counts as activity."""
    return "", 204


@agent_bp.post("/availability")
@staff(*AGENTS)
def availability():
    available = request.form.get("available") == "yes"
    with unit_of_work():
        calls.set_available(current_user, available)
    flash("You are taking kiosk calls." if available else "You are not taking kiosk calls.", "success")
    return redirect(url_for(".console"))


@agent_bp.get("/queue")
@staff(*AGENTS)
@in_background
def queue():
    _after, known, wait = _news_args()
    with unit_of_work():
        calls.touch_agent(current_user.id)
    view = calls.wait_for_queue(current_user, request.args.get("token", known)[:2000], wait)
    return jsonify(
        token=view["token"],
        waiting=len(view["calls"]),
        hubs=[c.hub.name if c.hub else "" for c in view["calls"]],
        html=render_template("agent/_kiosk_queue.html", **view),
    )


@agent_bp.post("/<int:call_id>/answer")
@staff(*AGENTS)
def answer(call_id: int):
    if calls.current_call(current_user) is not None:
        flash("Finish the call you are on first.", "error")
        return redirect(url_for(".console"))
    with unit_of_work():
        call = calls.answer(call_id, current_user)
    if call is None:
        flash("Another agent answered that call, or the resident has left.", "error")
        return redirect(url_for(".console"))
    return redirect(url_for(".agent_call", call_id=call.id))


@agent_bp.get("/<int:call_id>")
@staff(*AGENTS)
def agent_call(call_id: int):
    call = _own_call(call_id) or abort(404)
    if call.status == "ended":
        flash("That call has ended.", "success")
        return redirect(url_for(".console"))
    response = render_template(
        "agent/kiosk_call.html",
        call=call,
        after=signalling.latest_signal(call.id, "agent"),  # a reloaded page says "ready" and gets a new offer
        ice_servers=json.dumps(signalling.ice_servers()),
    )
    return response, 200, {"Permissions-Policy": MEDIA_ALLOWED}


@agent_bp.get("/<int:call_id>/news")
@staff(*AGENTS)
@in_background
def agent_news(call_id: int):
    call = _own_call(call_id)
    if call is None:
        return jsonify(errors={"call": ["This is not your call"]}), 404
    after, known, wait = _news_args()
    with unit_of_work():
        signalling.mark_seen(call.id, "agent")
    return jsonify(signalling.wait(call.id, "agent", after, known, wait))


@agent_bp.post("/<int:call_id>/signal")
@staff(*AGENTS)
@in_background
def agent_signal(call_id: int):
    call = _own_call(call_id)
    if call is None:
        return jsonify(errors={"call": ["This is not your call"]}), 404
    return _signal(call, "agent")


@agent_bp.post("/<int:call_id>/end")
@staff(*AGENTS)
def end_call(call_id: int):
    call = _own_call(call_id) or abort(404)
    with unit_of_work():
        calls.end(call)
    flash(
        "Call ended." + (" The resident can print their ticket." if call.outcome == "booked" else ""),
        "success",
    )
    return redirect(url_for(".console"))


@agent_bp.app_template_filter("call_mode")
def call_mode(mode: str) -> str:
    return calls.MODE_LABELS.get(mode, mode)


@agent_bp.app_template_filter("call_language")
def call_language(locale: str) -> str:
    return calls.language_label(locale)


@agent_bp.app_template_global()
def agent_kiosk_call() -> KioskCall | None:
    """The kiosk call the signed-in agent is on (shown on the agent booking pages)."""
    return calls.current_call(current_user)

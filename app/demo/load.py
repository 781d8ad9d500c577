"""Load the demo county idempotently: running it twice changes nothing the second time."""

from __future__ import annotations

import math
import os
import random
from datetime import time, timedelta

from sqlalchemy import func, select

from app.demo.county import (
    AREAS,
    FIRST_NAMES,
    KEYWORDS,
    KIOSK_HUBS,
    LAST_NAMES,
    OFFICER_LANGUAGES,
    REGISTRATION,
    SERVICES,
    SKILLS,
    STREETS,
)
from app.demo.staffing import cover_every_area
from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.messaging.contact import reminder_gap, uk_mobile
from app.models import (
    Address,
    CommunityArea,
    Customer,
    DutyPeriod,
    Hub,
    HubClosure,
    HubOpening,
    KioskDevice,
    Officer,
    Service,
    Skill,
    User,
    WorkingPattern,
)
from app.places.gazetteer import import_llpg
from app.staff.passwords import generate_password, hash_password
from app.timeutil import local_now

DEMO_KIOSK_HUB = "devizes"  # a hub with a kiosk, whose town the postcode hints use
OFFICER_COUNT = 40
CUSTOMER_COUNT = 300
EMAIL_DOMAIN = "wiltshire.example"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of UK postcodes


def load_demo(seed: int = 42) -> dict:
    """Create what is missing, in the caller's unit of work. Returns counts and the sign-in details of
    any users created now."""
    rng = random.Random(seed)
    skills = _skills()
    areas = _areas_and_hubs()
    _services(skills)
    password = os.environ.get("DEMO_PASSWORD") or generate_password()
    created_users: list[tuple[str, str]] = []
    _staff(created_users, password)
    _officers(rng, skills, areas, created_users, password)
    addresses = _gazetteer(random.Random(seed + 1))
    customers = _customers(rng, addresses)
    kiosk = _kiosk()
    return {
        "hubs": len(areas),
        "services": db.session.scalar(select(func.count(Service.id))),
        "officers": db.session.scalar(select(func.count(Officer.id))),
        "customers": customers,
        "users_created": created_users,
        "password": password if created_users else None,
        "kiosk": kiosk,  # (hub name, the one-time activation link's token) when the kiosk was made now
    }


def _get_or_add(model, lookup: dict, **values):
    row = db.session.scalar(select(model).filter_by(**lookup))
    if row is None:
        row = model(**lookup, **values)
        db.session.add(row)
    return row


def _skills() -> dict[str, Skill]:
    return {code: _get_or_add(Skill, {"code": code}, name=name) for code, name in SKILLS}


def _areas_and_hubs() -> list[CommunityArea]:
    areas = []
    for number, (code, name, lat, lng, address, postcode) in enumerate(AREAS):
        area = _get_or_add(CommunityArea, {"code": code}, name=name, lat=lat, lng=lng)
        areas.append(area)
        # Each hub's staff mobile, texted when its kiosk's "Ask for help" is pressed: Ofcom's drama
        # range (07700 900100 onwards), never anyone's phone.
        staff_phone = f"+447700900{100 + number}"
        existing = db.session.scalar(select(Hub).where(Hub.code == code))
        if existing is not None and not existing.staff_phone:
            existing.staff_phone = staff_phone  # a county loaded before hubs had one
        if existing is None:
            hub = Hub(
                code=code,
                name=f"{name} community hub",
                area=area,
                address_line1=address,
                town=name,
                postcode=postcode,
                lat=lat,
                lng=lng,
                has_kiosk=code in KIOSK_HUBS,
                staff_phone=staff_phone,
            )
            # Hubs keep office hours; the larger ones also open on Saturday morning.
            for weekday in range(5):
                hub.opening_hours.append(HubOpening(weekday=weekday, opens=time(9), closes=time(17)))
            if code in KIOSK_HUBS:
                hub.opening_hours.append(HubOpening(weekday=5, opens=time(9), closes=time(12, 30)))
            else:  # a smaller hub shut for a week's refurbishment, three weeks from the day it was loaded
                starts = local_now().date() + timedelta(days=21)
                if code == AREAS[-1][0]:
                    ends = starts + timedelta(days=6)
                    hub.closures.append(HubClosure(first_day=starts, last_day=ends, reason="Refurbishment"))
            db.session.add(hub)
    db.session.flush()
    return areas


def _services(skills: dict[str, Skill]) -> None:
    for order, (code, name, minutes, places, skill, two, notice, horizon, docs, summary) in enumerate(
        SERVICES
    ):
        at_home, at_business, at_hub = places
        service = _get_or_add(
            Service,
            {"code": code},
            name=name,
            summary=summary,
            duration_minutes=minutes,
            at_home=at_home,
            at_business=at_business,
            at_hub=at_hub,
            skill=skills[skill],
            two_officers=two,
            notice_hours=notice,
            horizon_days=horizon,
            documents=docs,
            sort_order=order,
        )
        service.keywords = service.keywords or KEYWORDS.get(code, "")  # also for a county loaded before
    code, name, signpost = REGISTRATION
    _get_or_add(
        Service,
        {"code": code},
        name=name,
        premises_only=True,
        signpost=signpost,
        at_home=False,
        at_business=False,
        at_hub=False,
        duration_minutes=30,
        sort_order=99,
    )


def _add_user(email: str, role: str, full_name: str, created: list, password: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, role=role, full_name=full_name, password_hash=hash_password(password))
        db.session.add(user)
        created.append((email, role))
    return user


def _staff(created: list, password: str) -> None:
    admin = _add_user(f"admin@{EMAIL_DOMAIN}", "admin", "Ada Admin", created, password)
    supervisor = _add_user(f"supervisor@{EMAIL_DOMAIN}", "supervisor", "Sue Pervisor", created, password)
    for n, name in enumerate(["Alan Agent", "Bella Agent", "Carl Agent"], start=1):
        _add_user(f"agent{n}@{EMAIL_DOMAIN}", "agent", name, created, password)
    _rota(supervisor, admin)


def _rota(supervisor: User, admin: User) -> None:
    """Somebody is always on duty: the supervisor by day on weekdays, the admin evenings and weekends."""
    supervisor.phone = supervisor.phone or "+447700900990"  # Ofcom's drama range: never a real phone
    admin.phone = admin.phone or "+447700900991"
    if db.session.scalar(select(func.count(DutyPeriod.id))):
        return
    day, night = (time(7, 30), time(18, 30)), (time(18, 30), time(7, 30))
    for weekday in range(7):
        by_day, by_night = (supervisor, admin) if weekday < 5 else (admin, supervisor)
        db.session.add(DutyPeriod(user=by_day, weekday=weekday, starts=day[0], ends=day[1]))
        db.session.add(DutyPeriod(user=by_night, weekday=weekday, starts=night[0], ends=night[1]))


def _kiosk() -> tuple[str, str] | None:
    """The reception kiosk at one hub, registered as an admin would; its activation link's token is
    returned once, when it is registered (only a digest is kept)."""
    hub = db.session.scalar(select(Hub).where(Hub.code == DEMO_KIOSK_HUB))
    if db.session.scalar(select(KioskDevice.id).where(KioskDevice.hub_id == hub.id).limit(1)) is not None:
        return None
    _device, token = kiosks.register(hub, "Reception kiosk")
    return hub.name, token


def _nearest(area: CommunityArea, areas: list[CommunityArea], count: int) -> list[CommunityArea]:
    others = sorted(
        (a for a in areas if a is not area),
        key=lambda a: math.hypot(a.lat - area.lat, (a.lng - area.lng) * 0.62),
    )
    return others[:count]


def _officers(rng, skills, areas, created: list, password: str) -> None:
    skill_list = list(skills.values())
    team = []
    for i in range(OFFICER_COUNT):
        first, last = FIRST_NAMES[i], LAST_NAMES[i % len(LAST_NAMES)]
        email = f"{first.lower()}.{last.lower()}@{EMAIL_DOMAIN}"
        user = _add_user(email, "officer", f"{first} {last}", created, password)
        if db.session.scalar(select(Officer).where(Officer.user == user)) is not None:
            continue
        home = areas[i % len(areas)]
        officer = Officer(
            user=user,
            first_name=first,
            last_name=last,
            phone=f"+447700900{900 + i}",
            base_label=f"{home.name} community hub",
            base_lat=home.lat,
            base_lng=home.lng,
            languages=OFFICER_LANGUAGES.get(home.code, ""),
        )
        # Two core skills spread evenly over the team, sometimes a third.
        chosen = {skill_list[i % len(skill_list)], skill_list[(i * 7 + 3) % len(skill_list)]}
        if rng.random() < 0.4:
            chosen.add(rng.choice(skill_list))
        officer.skills = sorted(chosen, key=lambda s: s.code)
        officer.areas = [home, *_nearest(home, areas, 2)]
        # One officer per larger hub also works Saturday mornings, when those hubs open.
        _pattern(officer, i, rng, saturdays=home.code in KIOSK_HUBS and i < len(areas))
        db.session.add(officer)
        team.append(officer)
    cover_every_area(team, skill_list, areas)
    db.session.flush()


def _pattern(officer: Officer, i: int, rng: random.Random, saturdays: bool = False) -> None:
    if i % 5 == 4:  # part-time: three days, or five mornings
        if rng.random() < 0.5:
            days, start, end, brk = (1, 2, 3), time(8, 30), time(17, 0), 30
        else:
            days, start, end, brk = range(5), time(9, 0), time(13, 30), 0
    else:
        days = range(5)
        start, end = rng.choice(
            [(time(8, 30), time(17, 0)), (time(8, 0), time(16, 30)), (time(9, 0), time(17, 30))]
        )
        brk = rng.choice([30, 45])
    days = [*days, 5] if saturdays else list(days)
    for weekday in days:
        saturday = weekday == 5
        officer.patterns.append(
            WorkingPattern(
                weekday=weekday,
                starts=time(9) if saturday else start,
                ends=time(12, 30) if saturday else end,
                break_starts=time(12, 30) if brk and not saturday else None,
                break_minutes=0 if saturday else brk,
            )
        )


POSTCODES_PER_TOWN = 6
ADDRESSES_PER_POSTCODE = 10


def _gazetteer(rng: random.Random) -> list[Address]:
    """LLPG-style addresses around each town, loaded through the same importer councils use."""
    header = ["UPRN", "Address_Line1", "Town", "Postcode", "Lat", "Lng"]
    rows = []
    for area_number, (_code, town, lat, lng, _address, hub_postcode) in enumerate(AREAS):
        outward = hub_postcode.split()[0]
        for p in range(POSTCODES_PER_TOWN):
            inward = INWARD[(area_number + p) % len(INWARD)] + INWARD[(3 * p + 7) % len(INWARD)]
            postcode = f"{outward} {p + 1}{inward}"
            # A postcode covers one street, up to about 2.5 km from the centre (1 degree latitude = 111 km).
            centre_lat, centre_lng = lat + rng.uniform(-0.02, 0.02), lng + rng.uniform(-0.032, 0.032)
            street = STREETS[(area_number * 3 + p) % len(STREETS)]
            for n in range(ADDRESSES_PER_POSTCODE):
                uprn = f"100{area_number:02d}{p:02d}{n:03d}"
                rows.append(
                    [
                        uprn,
                        f"{2 * n + 1} {street}",
                        town,
                        postcode,
                        f"{centre_lat + rng.uniform(-0.0015, 0.0015):.6f}",
                        f"{centre_lng + rng.uniform(-0.0025, 0.0025):.6f}",
                    ]
                )
    import_llpg(header, rows)
    return list(db.session.scalars(select(Address).where(Address.source == "llpg").order_by(Address.uprn)))


def _customers(rng: random.Random, addresses: list[Address]) -> int:
    existing = db.session.scalar(select(func.count(Customer.id))) or 0
    for i in range(existing, CUSTOMER_COUNT):
        home = rng.choice(addresses)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        business = i % 10 == 0
        by_post = i % 25 == 12  # no mobile or email: confirmations go by letter
        premises = addresses[(i * 7) % len(addresses)] if business else None  # not drawn: same demo
        email = f"{first.lower()}.{last.lower()}{i}@example.com" if i % 3 and not by_post else ""
        db.session.add(
            Customer(
                kind="business" if business else "resident",
                name=f"{first} {last}",
                business_name=f"{last} & Co" if business else "",
                phone="" if by_post else f"+447700{900000 + i}",
                email=email,
                # The one contact rule (reminder_gap): email reminders only for those who gave an email.
                preferred_channel="post" if by_post else ("email" if email and i % 7 == 0 else "sms"),
                sms_consent=not by_post,
                locale="pl" if i % 20 == 3 else "ne" if i % 20 == 11 else "en",  # 1 in 10: Polish or Nepali
                address_line1=home.line1,
                town=home.town,
                postcode=home.postcode,
                uprn=home.uprn,
                lat=home.lat,
                lng=home.lng,
                **(_premises(premises) if premises else {}),
            )
        )
    _mend_reminders()
    return CUSTOMER_COUNT


def _mend_reminders() -> None:
    """A county loaded before the demo kept the contact rule had callers reminded by email with no email
    address (nothing reached them): each is reminded as their details allow, by text where they have a
    mobile and agreed to texts, else email, else a letter home. Loading again mends it."""
    for customer in db.session.scalars(select(Customer).order_by(Customer.id)):
        home = bool(customer.address_line1 and customer.postcode)
        if reminder_gap(customer.preferred_channel, customer.phone, customer.email, address=home) is None:
            continue
        if uk_mobile(customer.phone) and customer.sms_consent:
            customer.preferred_channel = "sms"
        else:
            customer.preferred_channel = "email" if customer.email else "post" if home else "none"


def _premises(address: Address) -> dict:
    return {
        "business_type": "Shop",
        "premises_line1": address.line1,
        "premises_town": address.town,
        "premises_postcode": address.postcode,
        "premises_uprn": address.uprn,
        "premises_lat": address.lat,
        "premises_lng": address.lng,
    }

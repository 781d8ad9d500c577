"""Factories for test data, and fixtures that sign staff in."""

from __future__ import annotations

from datetime import time, timedelta

import factory
import pytest
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import (
    Appointment,
    CommunityArea,
    Customer,
    Hub,
    HubOpening,
    Officer,
    Service,
    Skill,
    User,
    WorkingPattern,
)
from app.staff.passwords import hash_password
from app.staff.tokens import create_token

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (the swapped test session)
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@council.example")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    role = "agent"
    password_hash = _PASSWORD_HASH


class SkillFactory(Base):
    class Meta:
        model = Skill

    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")


class AreaFactory(Base):
    class Meta:
        model = CommunityArea

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    lat = 51.35
    lng = -1.99


class HubFactory(Base):
    class Meta:
        model = Hub

    code = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"Hub {n}")
    area = factory.SubFactory(AreaFactory)
    address_line1 = "1 Market Place"
    town = "Devizes"
    postcode = "SN10 1DL"
    lat = 51.35
    lng = -1.995

    @factory.post_generation
    def hours(hub, create, extracted, **kwargs):
        for weekday in range(5):
            hub.opening_hours.append(HubOpening(weekday=weekday, opens=time(9), closes=time(17)))


class ServiceFactory(Base):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 45
    skill = factory.SubFactory(SkillFactory)
    documents = "Proof of identity\nProof of address"


class OfficerFactory(Base):
    class Meta:
        model = Officer

    first_name = factory.Sequence(lambda n: f"Officer{n}")
    last_name = "Smith"
    base_label = "Devizes hub"
    base_lat = 51.35
    base_lng = -1.995

    @factory.post_generation
    def weekdays(officer, create, extracted, **kwargs):
        """Monday to Friday 08:30-17:00 with a 30-minute lunch at 12:30, unless told otherwise."""
        for weekday in extracted if extracted is not None else range(5):
            officer.patterns.append(
                WorkingPattern(
                    weekday=weekday,
                    starts=time(8, 30),
                    ends=time(17),
                    break_starts=time(12, 30),
                    break_minutes=30,
                )
            )


class CustomerFactory(Base):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Resident Number{n}")
    phone = factory.Sequence(lambda n: f"+447700{900000 + n}")
    email = factory.Sequence(lambda n: f"resident{n}@example.com")
    address_line1 = "12 High Street"
    town = "Devizes"
    postcode = "SN10 1AA"
    lat = 51.351
    lng = -1.99


class AppointmentFactory(Base):
    """Pass window_start (UTC); the window is an hour long unless window_end is given."""

    class Meta:
        model = Appointment

    reference = factory.Sequence(lambda n: f"T{n:05d}")
    service = factory.SubFactory(ServiceFactory)
    customer = factory.SubFactory(CustomerFactory)
    location_type = "home"
    address_line1 = "12 High Street"
    town = "Devizes"
    postcode = "SN10 1AA"
    lat = 51.351
    lng = -1.99
    window_end = factory.LazyAttribute(lambda o: o.window_start + timedelta(hours=1))
    duration_minutes = 45
    status = "booked"
    channel = "web"


@pytest.fixture
def make_user():
    return UserFactory


@pytest.fixture
def bearer() -> dict[str, str]:
    """The Authorization header of an admin's API token (committed)."""
    secret = create_token(UserFactory(role="admin"), "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def sign_in(client):
    """sign_in(role) -> the User now signed in on `client`."""

    def _sign_in(role: str = "agent", **kwargs) -> User:
        user = UserFactory(role=role, **kwargs)
        db.session.commit()
        page = client.get("/sign-in")
        from tests.pages import csrf_token

        response = client.post(
            "/sign-in",
            data={
                "email": user.email,
                "password": PASSWORD,
                "csrf_token": csrf_token(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _sign_in

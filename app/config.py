"""Settings from the environment (pydantic-settings), one place for every knob.

A setting that would leave a production server open is refused at start-up with a message that says
what to set, rather than quietly weakened (see SECURITY.md, "Production settings").
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
ENVIRONMENTS = ("development", "test", "production")
TIMEZONE = "Europe/London"  # UK local time, England's bank holidays: the only zone the rules are written for
MIN_SECRET_KEY_LENGTH = 32
# A random key of 32 characters has far more: "aaaa..." or "changeme" repeated is as guessable as a short one.
MIN_SECRET_KEY_DISTINCT = 10
MAX_BODY_BYTES = 1024 * 1024  # the largest real request (a booking, a form) is a few kilobytes
MAX_FORM_FIELDS = 1000  # the longest real form (an officer's) has 74 inputs; Flask's MAX_FORM_PARTS too
LOCAL_HOSTS = ("localhost", "127.0.0.1")
DEV_KEY_FILE = INSTANCE_DIR / "dev-secret-key"  # development only: links keep working across restarts
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # WCAG 2.2 AA for text: links and the header are read on white


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of '#rrggbb' against white."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def weak_secret_key(key: str) -> bool:
    """Too short, or too few different characters to be random (a word or a character repeated)."""
    return len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_DISTINCT


def development_key(path: Path = DEV_KEY_FILE) -> str:
    """A signing key kept in instance/ (gitignored), made once: sessions and the links in texts that
    were sent keep working when the development server restarts. Production must set SECRET_KEY."""
    if path.exists():
        key = path.read_text().strip()
        if not weak_secret_key(key):
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"  # development | test | production
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'doorstep.db'}"
    # PostgreSQL connections each process keeps open. gunicorn.conf.py sets 8 per worker (never more
    # than its threads) and no overflow: threads wait (long polls), connections work (bench/README.md).
    database_pool_size: int = 5
    # Connections opened beyond the pool when every pooled one is in use, closed again after use. 0: a
    # request waits for a pooled connection instead (up to 30 s), and PostgreSQL's connections stay fixed.
    database_max_overflow: int = 10
    secret_key: str = ""
    # The council's own branding (a council service is not on GOV.UK: no crown, no GDS Transport).
    council_name: str = "Wiltshire Council"
    council_logo_file: str = ""  # an SVG or PNG of the council's logo; blank: the demo county's
    council_brand_colour: str = "#00594f"  # the header's stripe and the service navigation's accent
    council_link_colour: str = "#1d70b8"
    service_name: str = "Doorstep"
    feedback_email: str = "doorstep-feedback@council.example"  # the Beta banner's feedback page
    data_protection_email: str = "data.protection@council.example"  # the privacy notice's contact
    timezone: str = TIMEZONE
    ratelimit_storage_uri: str = "memory://"  # production: redis://host:6379/0, shared by every worker
    ratelimit_key_prefix: str = "doorstep"  # keeps these counters apart from anything else in that Redis
    ratelimit_enabled: bool = True  # off only for load tests from one address
    server_timing: bool = False  # a Server-Timing header on every answer: for the benchmarks, not production
    # Public bookings and online waiting-list joins (each sends texts or emails) per phone number or
    # email address in 24 hours; agents book beyond it.
    public_bookings_per_contact_per_day: int = 3
    # Public bookings answered by letter (no phone and no email, or "By letter") per address (postcode
    # and first line) in 24 hours: each is a council letter, with a name the booker chose, to that door.
    public_letter_bookings_per_address_per_day: int = 3
    # Failed sign-ins at one account (from anywhere) past five in 15 minutes each wait longer, up to this.
    sign_in_max_delay_seconds: float = 2.0
    session_timeout_minutes: int = 30
    retention_days: int = 730  # personal data of past appointments is removed after this
    public_base_url: str = "http://127.0.0.1:5000"  # every link in texts, emails and pages starts with it
    trusted_hosts: str = ""  # comma-separated Host names served; blank: PUBLIC_BASE_URL's (and localhost)
    proxy_count: int = 0  # proxies in front that append X-Forwarded-For/-Proto (a load balancer: 1)
    sms_provider: str = "log"  # log | twilio
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_from_number: str = ""
    twilio_api_base: str = ""  # a local stand-in in tests
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    email_from: str = "Doorstep <appointments@council.example>"
    safety_fallback_phone: str = ""  # escalation texts go here when nobody is on duty
    crm_webhook_url: str = ""
    crm_webhook_secret: str = ""
    map_tile_url: str = (
        ""  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; blank draws routes without tiles
    )
    replan_seconds: float = 3.0  # planning budget of an absence re-plan preview (the answer within 5 s)
    travel_provider: str = "haversine"  # haversine | osrm
    osrm_url: str = ""
    # Kiosk video calls (README, "Kiosk video calls"): ICE servers for WebRTC, and who gets call-backs.
    stun_urls: str = ""  # comma-separated, e.g. stun:turn.council.example:3478
    turn_urls: str = ""  # comma-separated, e.g. turn:turn.council.example:3478?transport=udp
    turn_secret: str = ""  # coturn's static-auth-secret: browsers get short-lived credentials from it
    contact_centre_emails: str = "contact-centre@council.example"  # comma-separated: kiosk call-backs
    # The contact centre's number, as residents are told to phone it (open 08:30 to 17:30, weekdays).
    contact_centre_phone: str = "0300 456 0100"
    # A kiosk left untouched warns after this long, then wipes itself for the next person this much later.
    kiosk_warn_after_ms: int = 60_000
    kiosk_reset_after_ms: int = 30_000

    def __init__(self, **values: Any) -> None:
        # The environment and .env may hold other programs' variables (extra="ignore"), but a name given
        # in code must be a field: Settings(SMS_PROVIDER=...) or a misspelling would otherwise do nothing.
        unknown = sorted(name for name in values if name not in type(self).model_fields and name[0] != "_")
        if unknown:
            raise TypeError(f"Settings has no field {', '.join(map(repr, unknown))}")
        super().__init__(**values)

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ENVIRONMENTS:
            raise ValueError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)} (got {value!r})")
        return value

    @field_validator("timezone")
    @classmethod
    def _uk_time(cls, value: str) -> str:
        if value.strip() != TIMEZONE:
            raise ValueError(f"TIMEZONE can only be {TIMEZONE}: times and bank holidays follow UK rules")
        return TIMEZONE

    @field_validator("council_brand_colour", "council_link_colour")
    @classmethod
    def _readable_colour(cls, value: str) -> str:
        value = value.strip()
        if not HEX_COLOUR.match(value):
            raise ValueError(f"must be a colour like #1d70b8 (got {value!r})")
        if contrast_with_white(value) < MIN_CONTRAST:
            raise ValueError(
                f"{value} is too light to read on white: WCAG AA needs a contrast of {MIN_CONTRAST}:1 "
                f"(it has {contrast_with_white(value):.1f}:1)"
            )
        return value.lower()

    @field_validator("council_logo_file")
    @classmethod
    def _logo_exists(cls, value: str) -> str:
        value = value.strip()
        if value and not (Path(value).is_file() and value.lower().endswith((".svg", ".png"))):
            raise ValueError(f"must be an SVG or PNG file that exists (got {value!r})")
        return value

    @field_validator("kiosk_warn_after_ms", "kiosk_reset_after_ms")
    @classmethod
    def _kiosk_timer(cls, value: int) -> int:
        if not 1_000 <= value <= 3_600_000:
            raise ValueError("must be between 1000 (a second) and 3600000 (an hour), in milliseconds")
        return value

    @field_validator("database_pool_size")
    @classmethod
    def _pool_size(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("DATABASE_POOL_SIZE must be from 1 to 100 connections")
        return value

    @field_validator("database_max_overflow")
    @classmethod
    def _max_overflow(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError("DATABASE_MAX_OVERFLOW must be from 0 to 100 connections")
        return value

    @field_validator("proxy_count")
    @classmethod
    def _proxies(cls, value: int) -> int:
        if not 0 <= value <= 5:
            raise ValueError("PROXY_COUNT must be 0 (no proxy) to 5")
        return value

    @field_validator("stun_urls", "turn_urls")
    @classmethod
    def _ice_urls(cls, value: str, info) -> str:
        schemes = ("stun:", "stuns:") if info.field_name == "stun_urls" else ("turn:", "turns:")
        urls = [u.strip() for u in value.split(",") if u.strip()]
        wrong = [u for u in urls if not u.startswith(schemes)]
        if wrong:
            raise ValueError(f"each address must start with {' or '.join(schemes)} (got {wrong[0]!r})")
        return ",".join(urls)

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise ValueError("PUBLIC_BASE_URL must be a scheme and host only, like https://doorstep.example")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _safe_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if weak_secret_key(self.secret_key):
            problems.append(
                f"SECRET_KEY must be a random secret of at least {MIN_SECRET_KEY_LENGTH} characters, "
                f"at least {MIN_SECRET_KEY_DISTINCT} of them different "
                "(python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        if not self.public_base_url.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must start with https:// in production")
        if self.crm_webhook_url and (
            not self.crm_webhook_url.startswith("https://")
            or len(self.crm_webhook_secret) < MIN_SECRET_KEY_LENGTH
        ):
            problems.append(
                "CRM_WEBHOOK_URL must be https:// and CRM_WEBHOOK_SECRET a random secret of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (the CRM checks each event's signature with it)"
            )
        if self.sms_provider == "twilio" and not self.twilio_auth_token:
            problems.append("TWILIO_AUTH_TOKEN must be set: it also checks that Twilio's webhooks are real")
        if self.turn_urls and len(self.turn_secret) < MIN_SECRET_KEY_LENGTH:
            problems.append(
                "TURN_SECRET must be coturn's static-auth-secret (at least "
                f"{MIN_SECRET_KEY_LENGTH} characters) when TURN_URLS is set"
            )
        if self.ratelimit_storage_uri.startswith("memory://"):
            problems.append(
                "RATELIMIT_STORAGE_URI must be shared by every worker and server, "
                "like redis://127.0.0.1:6379/0 (memory:// multiplies each limit by the number of workers)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def delivery_banner(self) -> str:
        """What `make run` says about messages, so nobody waits for an email that cannot go."""
        texts = "written to the log (SMS_PROVIDER=log)" if self.sms_provider == "log" else "sent by Twilio"
        email = (
            f"sent through {self.smtp_host}"
            if self.smtp_host
            else "NOT sent: no mail server is set (SMTP_HOST), so email confirmations wait in the outbox"
        )
        return f"Texts: {texts}\nEmail: {email}"

    def allowed_hosts(self) -> list[str]:
        """Host names this server answers to; anything else is refused (400) before a route runs."""
        hosts = [h.strip().lower() for h in self.trusted_hosts.split(",") if h.strip()]
        if not hosts:
            hosts = [urlsplit(self.public_base_url).hostname or ""]
            if self.environment != "production":
                hosts += LOCAL_HOSTS
        return hosts

    def changed(self, **changes: Any) -> Settings:
        """A validated copy with some fields changed (tests, the simulation): a misspelt name or a value
        of the wrong type fails here, as it would at start-up, instead of being quietly ignored."""
        return type(self)(**(self.model_dump() | changes))

    def with_signing_key(self) -> Settings:
        """These settings with the key every signature uses. Blank outside production (which refuses
        that, above): development keeps one in instance/ so sent links survive a restart; tests and
        scratch apps get a random one."""
        if self.secret_key:
            return self
        key = development_key() if self.environment == "development" else secrets.token_hex(32)
        return self.changed(secret_key=key)

    def _engine_options(self) -> dict[str, Any]:
        if not normalise_database_url(self.database_url).startswith("postgresql"):
            return {}  # SQLite: SQLAlchemy's own choice of pool
        return {"pool_size": self.database_pool_size, "max_overflow": self.database_max_overflow}

    def flask_config(self) -> dict[str, Any]:
        """The keys Flask and its extensions read themselves, derived from these settings. Our own code
        reads the settings object (`settings()`, below); nothing else is copied into app.config."""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(self.database_url),
            "SQLALCHEMY_ENGINE_OPTIONS": self._engine_options(),
            "TRUSTED_HOSTS": self.allowed_hosts(),
            "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_KEY_PREFIX": self.ratelimit_key_prefix,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_HEADERS_ENABLED": True,
            # Count the last minute (or hour) exactly, so no burst of twice the limit across a boundary.
            "RATELIMIT_STRATEGY": "moving-window",
            # If Redis is briefly unreachable, limit per worker rather than refuse every request.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_SWALLOW_ERRORS": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.environment == "production",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "PERMANENT_SESSION_LIFETIME": self.session_timeout_minutes * 60,
            "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so slow typists are not punished
        }


def use_settings(app: Flask, chosen: Settings) -> Settings:
    """Make `chosen` the app's settings: held once in app.extensions, with Flask's own keys derived from
    it. (The database and the rate limiter read theirs when the app is made: change those with a new
    app, not here.)"""
    chosen = chosen.with_signing_key()
    app.extensions["settings"] = chosen
    app.config.update(chosen.flask_config())
    return chosen


@contextmanager
def settings_changed(app: Flask, **changes: Any) -> Iterator[Settings]:
    """Inside the block the app runs with some settings changed (validated like any others); the app's
    own come back afterwards."""
    saved = app.extensions["settings"]
    try:
        yield use_settings(app, saved.changed(**changes))
    finally:
        use_settings(app, saved)


def settings() -> Settings:
    """The running app's settings, typed: `settings().sms_provider`."""
    return current_app.extensions["settings"]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url

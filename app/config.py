"""Settings from the environment (pydantic-settings), one place for every knob."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"  # development | test | production
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'doorstep.db'}"
    secret_key: str = ""
    council_name: str = "Wiltshire Council"
    service_name: str = "Doorstep"
    timezone: str = "Europe/London"
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True  # off only for load tests from one address
    session_timeout_minutes: int = 30
    retention_days: int = 730  # personal data of past appointments is removed after this
    public_base_url: str = "http://127.0.0.1:5000"  # for links in texts and emails sent later
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
    crm_webhook_url: str = ""
    crm_webhook_secret: str = ""
    map_tile_url: str = (
        ""  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; blank draws routes without tiles
    )
    replan_seconds: float = 10.0  # search time for an absence re-plan preview
    travel_provider: str = "haversine"  # haversine | osrm
    osrm_url: str = ""

    def flask_config(self) -> dict:
        secret = self.secret_key
        if not secret:
            if self.environment == "production":
                raise RuntimeError("SECRET_KEY must be set in production")
            # A development key lives only as long as this process: sessions reset on restart.
            secret = secrets.token_hex(32)
        return {
            "ENVIRONMENT": self.environment,
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(self.database_url),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "COUNCIL_NAME": self.council_name,
            "SERVICE_NAME": self.service_name,
            "TIMEZONE": self.timezone,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_HEADERS_ENABLED": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.environment == "production",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "PERMANENT_SESSION_LIFETIME": self.session_timeout_minutes * 60,
            "RETENTION_DAYS": self.retention_days,
            "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so slow typists are not punished
            "PUBLIC_BASE_URL": self.public_base_url.rstrip("/"),
            "SMS_PROVIDER": self.sms_provider,
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "TWILIO_MESSAGING_SERVICE_SID": self.twilio_messaging_service_sid,
            "TWILIO_FROM_NUMBER": self.twilio_from_number,
            "TWILIO_API_BASE": self.twilio_api_base,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USERNAME": self.smtp_username,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_STARTTLS": self.smtp_starttls,
            "EMAIL_FROM": self.email_from,
            "CRM_WEBHOOK_URL": self.crm_webhook_url,
            "CRM_WEBHOOK_SECRET": self.crm_webhook_secret,
            "MAP_TILE_URL": self.map_tile_url,
            "REPLAN_SECONDS": self.replan_seconds,
            "TRAVEL_PROVIDER": self.travel_provider,
            "OSRM_URL": self.osrm_url,
        }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url

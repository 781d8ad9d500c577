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
            "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so slow typists are not punished
            "TRAVEL_PROVIDER": self.travel_provider,
            "OSRM_URL": self.osrm_url,
        }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url

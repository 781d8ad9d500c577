"""What the scheduler has done once per key (a day planned), so a restarted scheduler catches up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class ScheduledRun(db.Model):
    __table_args__ = (UniqueConstraint("job", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(40))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

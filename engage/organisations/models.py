from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db


class OrganisationKind(enum.Enum):
    PUBLIC_SECTOR = "public_sector"
    VCFSE = "vcfse"

    @property
    def label(self) -> str:
        return {"public_sector": "Public sector", "vcfse": "VCFSE"}[self.value]

    @property
    def description(self) -> str:
        return {
            "public_sector": "Council, NHS or another statutory body",
            "vcfse": "Voluntary, community, faith or social enterprise organisation",
        }[self.value]


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column_type(OrganisationKind, "organisation_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"

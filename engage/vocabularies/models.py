"""Vocabularies that administrators manage: areas (townships and their neighbourhoods), themes, and the
communities reach is counted against."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.enums import enum_column_type
from engage.extensions import db


class Area(db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Area | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.parent.name})" if self.parent else self.name


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class CommunityGroup(enum.Enum):
    NETWORK = "network"
    UNDER_REPRESENTED = "under_represented"
    PROTECTED_CHARACTERISTIC = "protected_characteristic"

    @property
    def label(self) -> str:
        return {"network": "VCFSE networks", "under_represented": "Under-represented groups",
                "protected_characteristic": "Protected characteristics (Equality Act 2010)"}[self.value]

    @property
    def hint(self) -> str:
        """What the group counts, said where reach is typed in."""
        return {"network": "People who came through one of the borough's VCFSE networks.",
                "under_represented": "People from groups that engagement often misses.",
                "protected_characteristic": "People who share a characteristic the Equality Act 2010 protects, "
                                            "such as age, disability or race."}[self.value]


class Community(db.Model):
    """A community whose reach is counted: a network, an under-represented group or a protected characteristic."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    group: Mapped[CommunityGroup] = mapped_column(enum_column_type(CommunityGroup, "community_group"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

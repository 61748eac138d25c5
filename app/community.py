"""Communities (居民区), their buildings (楼组) and units (房屋) with floor areas."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .timeutil import UTCDateTime, utcnow


class Community(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(String(2000), default="")
    # How long a 公示 runs here unless staff choose otherwise.
    notice_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    buildings: Mapped[list["Building"]] = relationship(
        back_populates="community", order_by="Building.name", cascade="all, delete-orphan"
    )

    @classmethod
    def by_slug(cls, slug: str) -> "Community | None":
        return db.session.scalar(select(cls).where(cls.slug == slug))


class Building(db.Model):
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    community: Mapped[Community] = relationship(back_populates="buildings")
    units: Mapped[list["Unit"]] = relationship(
        back_populates="building", order_by="Unit.number", cascade="all, delete-orphan"
    )


class Unit(db.Model):
    """One flat. Area is kept in hundredths of a square metre so sums stay exact."""

    __table_args__ = (UniqueConstraint("building_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    area_centi_m2: Mapped[int] = mapped_column()

    building: Mapped[Building] = relationship(back_populates="units")
    ownerships: Mapped[list["UnitOwnership"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )

    @property
    def area_m2(self) -> Decimal:
        return Decimal(self.area_centi_m2) / 100

    @property
    def label(self) -> str:
        return f"{self.building.name} {self.number}"


class UnitOwnership(db.Model):
    """An owner of a unit: a name from the register, linked to an account once verified."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(100), default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verified_at = mapped_column(UTCDateTime, nullable=True)

    unit: Mapped[Unit] = relationship(back_populates="ownerships")
    user = relationship("User", foreign_keys=[user_id], back_populates="ownerships")

"""People (User), their membership of communities, roles and one-time reset codes."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ROLES = ("resident", "owner", "council", "chair", "staff", "admin")
ROLE_LABELS = {
    "resident": _l("resident"), "owner": _l("owner"), "council": _l("council member"),
    "chair": _l("chair"), "staff": _l("staff"), "admin": _l("admin"),
}
# Roles staff may grant; staff and admin are granted by an admin only.
STAFF_GRANTABLE = ("council", "chair")
ADMIN_GRANTABLE = ("council", "chair", "staff", "admin")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Part of the login cookie: changing it signs out every session of this person.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Marks rows made by seed-demo, so it can tell its own data from real data.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # 长辈模式 chosen while signed in: it follows the person to every device they sign in on.
    elder_mode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", cascade="all, delete-orphan"
    )
    ownerships = relationship(
        "UnitOwnership", foreign_keys="UnitOwnership.user_id", back_populates="user"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def revoke_sessions(self) -> None:
        self.session_token = new_session_token()

    def membership_in(self, community) -> "Membership | None":
        if community is None:
            return None
        for m in self.memberships:
            if m.community_id == community.id:
                return m
        return None

    @classmethod
    def by_username(cls, username: str) -> "User | None":
        return db.session.scalar(select(cls).where(cls.username == username.strip().lower()))


class Membership(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    verified_at = mapped_column(UTCDateTime, nullable=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    joined_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    community = relationship("Community")
    building = relationship("Building")
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    role_rows: Mapped[list["MemberRole"]] = relationship(
        back_populates="membership", cascade="all, delete-orphan"
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows) | {"resident"}

    @property
    def extra_roles(self) -> list[str]:
        """Roles beyond being a resident, for display."""
        return [str(ROLE_LABELS[r]) for r in ROLES if r in self.roles and r != "resident"]

    def grant(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(role)
        if all(r.role != role for r in self.role_rows):
            self.role_rows.append(MemberRole(role=role))

    def revoke(self, role: str) -> None:
        self.role_rows = [r for r in self.role_rows if r.role != role]


class MemberRole(db.Model):
    __table_args__ = (UniqueConstraint("membership_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    membership: Mapped[Membership] = relationship(back_populates="role_rows")


class ResetCode(db.Model):
    """A one-time code that staff hand over in person; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    issued_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)

    user = relationship("User", foreign_keys=[user_id])

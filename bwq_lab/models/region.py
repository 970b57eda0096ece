from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.extensions import db


class Region(db.Model):
    """Province → city → county (省 / 设区市 / 县)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10), index=True)  # province | city | county
    code: Mapped[str | None] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # cities: new enterprises book only once the city administrator has verified them
    verify_enterprises: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.id")

    @property
    def city(self) -> Region | None:
        """The city this region is in (itself for a city)."""
        if self.level == "city":
            return self
        if self.level == "county":
            return self.parent
        return None

    def display(self, locale: str = "zh") -> str:
        return self.name_en if locale.startswith("en") else self.name

    def __repr__(self) -> str:
        return f"<Region {self.level} {self.name}>"

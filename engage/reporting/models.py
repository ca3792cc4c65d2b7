"""The report card's activity figures added up by day, kept by `reporting.daily` as activity changes.

`*_days` hold each day's totals over the engagements residents can see; a report card sums the days of its
period, however many activities those days hold. `*_day_shares` hold what each public engagement adds to
those totals, so that when an engagement changes its old share can be taken off and the new one added.
The shares name the engagement without a foreign key: an engagement deleted takes its activity with it by the
database's cascade, and its share must stay until it has been taken off the totals.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from engage.extensions import db


class ActivityDay(db.Model):
    __tablename__ = "report_activity_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    activities: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    volunteer_minutes: Mapped[int] = mapped_column(Integer, default=0)


class ActivityDayShare(db.Model):
    __tablename__ = "report_activity_day_shares"

    engagement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    activities: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    volunteer_minutes: Mapped[int] = mapped_column(Integer, default=0)


class ReachDay(db.Model):
    __tablename__ = "report_reach_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReachDayShare(db.Model):
    __tablename__ = "report_reach_day_shares"

    engagement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

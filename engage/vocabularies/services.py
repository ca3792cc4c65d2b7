"""Adding and changing areas and themes; loading the defaults."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.audit.services import record
from engage.extensions import db
from engage.organisations.services import slugify
from engage.text.names import name_taken, stored_name
from engage.text.one_line import one_line_problem
from engage.vocabularies import defaults
from engage.vocabularies.models import Area, Community, Theme


class VocabularyError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def active_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.is_active).order_by(Theme.position, Theme.name)))


def active_areas() -> list[Area]:
    """Townships first, each followed by its neighbourhoods."""
    areas = list(db.session.scalars(select(Area).where(Area.is_active).order_by(Area.position, Area.name)))
    top = [a for a in areas if a.parent_id is None]
    ordered: list[Area] = []
    for township in top:
        ordered.append(township)
        ordered.extend(a for a in areas if a.parent_id == township.id)
    ordered.extend(a for a in areas if a not in ordered)
    return ordered


def _name_taken(model, name: str, exclude_id: int | None) -> bool:
    if name_taken(model, name, exclude_id=exclude_id):
        return True
    if not hasattr(model, "slug"):
        return False
    # Names that differ only in punctuation make the same slug, which must stay unique.
    query = select(model.id).where(model.slug == slugify(name))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def _check_one_line(name: str, label: str) -> None:
    problem = one_line_problem(name, label)
    if problem:
        raise VocabularyError("name", problem)


def save_theme(theme: Theme | None, *, name: str, is_active: bool = True, actor=None) -> Theme:
    _check_one_line(name, "Theme")
    name = stored_name(name)
    if _name_taken(Theme, name, theme.id if theme else None):
        raise VocabularyError("name", "A theme with this name already exists")
    if theme is None:
        position = (db.session.scalar(select(func.max(Theme.position))) or 0) + 1
        theme = Theme(name=name, slug=slugify(name), position=position, is_active=is_active)
        db.session.add(theme)
        record("theme.created", actor=actor, subject=theme, name=name)
    else:
        record("theme.updated", actor=actor, subject=theme, name={"from": theme.name, "to": name},
               active={"from": theme.is_active, "to": is_active})
        theme.name, theme.slug, theme.is_active = name, slugify(name), is_active
    return theme


def save_area(area: Area | None, *, name: str, parent: Area | None, is_active: bool = True, actor=None) -> Area:
    _check_one_line(name, "Area")
    name = stored_name(name)
    if _name_taken(Area, name, area.id if area else None):
        raise VocabularyError("name", "An area with this name already exists")
    if parent is not None and (parent.parent_id is not None or (area is not None and parent.id == area.id)):
        raise VocabularyError("parent", "Choose a township as the parent, or none")
    if parent is not None and area is not None and area.id is not None and db.session.scalar(
            select(Area.id).where(Area.parent_id == area.id).limit(1)) is not None:
        # Areas are two levels deep: a township with neighbourhoods beneath it cannot become a neighbourhood.
        raise VocabularyError("parent", f"{area.name} has neighbourhoods beneath it, so it must stay a township")
    if area is None:
        position = (db.session.scalar(select(func.max(Area.position))) or 0) + 1
        area = Area(name=name, slug=slugify(name), parent=parent, position=position, is_active=is_active)
        db.session.add(area)
        record("area.created", actor=actor, subject=area, name=name)
    else:
        record("area.updated", actor=actor, subject=area, name={"from": area.name, "to": name},
               active={"from": area.is_active, "to": is_active})
        area.name, area.slug, area.parent, area.is_active = name, slugify(name), parent, is_active
    return area


def load_defaults() -> dict[str, int]:
    """Add the default themes and areas that are missing. Safe to run again."""
    added = {"themes": 0, "areas": 0}
    for name in defaults.THEMES:
        if not _name_taken(Theme, name, None):
            save_theme(None, name=name)
            added["themes"] += 1
    for township, neighbourhoods in defaults.AREAS.items():
        parent = db.session.scalar(select(Area).where(Area.name == township))
        if parent is None:
            parent = save_area(None, name=township, parent=None)
            added["areas"] += 1
        for neighbourhood in neighbourhoods:
            if not _name_taken(Area, neighbourhood, None):
                save_area(None, name=neighbourhood, parent=parent)
                added["areas"] += 1
    db.session.flush()
    return added


def save_community(community, *, name: str, group, is_active: bool = True, actor=None):
    """Add or change a community that reach is counted against."""
    _check_one_line(name, "Community")
    name = stored_name(name)
    if _name_taken(Community, name, community.id if community else None):
        raise VocabularyError("name", "A community with this name already exists")
    if community is None:
        position = (db.session.scalar(select(func.max(Community.position))) or 0) + 1
        community = Community(name=name, group=group, position=position, is_active=is_active)
        db.session.add(community)
        record("community.created", actor=actor, subject=community, name=name, group=group.value)
    else:
        record("community.updated", actor=actor, subject=community, name={"from": community.name, "to": name},
               group={"from": community.group.value, "to": group.value},
               active={"from": community.is_active, "to": is_active})
        community.name, community.group, community.is_active = name, group, is_active
    return community

"""Finding every form a person can reach, by following the site's own links as a browser would, so a form added
later is covered without being listed here."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

# Links not followed: leaving the session, files, and the front-end's own assets.
_SKIPPED = re.compile(r"^/(sign-out|assets/|static/|brand\.css|healthz)|/outputs/\d+$|/download$|/files?/")
# Forms not submitted: they end the session the rest of the test runs in. (Signing out is a form too.)
SESSION_ENDING = re.compile(r"^/(sign-out|account/sign-out-everywhere)$")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, password, number, email, url, file
    options: tuple[str, ...] = ()  # the values of a select's options, or of the radios or checkboxes of this name
    value: str = ""  # what the page filled it with (a hidden field's value, the text saved before)
    count: int = 1  # how many inputs carry the name (a date is three: day, month and year)


@dataclass(frozen=True)
class Form:
    page: str  # where it was found
    action: str
    method: str  # "get" or "post"
    fields: tuple[Field, ...]

    @property
    def key(self) -> tuple:
        return self.action, self.method, tuple(f.name for f in self.fields)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.action} (on {self.page})"


def _same_site(href: str, base: str) -> str | None:
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("http", "") or url.netloc not in ("", "localhost"):
        return None
    path = url.path or "/"
    if _SKIPPED.search(path):
        return None
    return path + (f"?{url.query}" if url.query else "")


def _shape(url: str) -> str:
    """Pages that differ only by a number (an id, a version, a page of a list) or by the values of their query
    carry the same forms. So do the pages below a workspace's sections (an activity's, a test's, an agreement's
    own pages): visited in one engagement, not in every one. A section page itself is visited in each, as what it
    offers depends on the engagement's step."""
    path, _, query = url.partition("?")
    path = re.sub(r"\d+", "N", path)
    path = re.sub(r"^/workspace/[^/]+/([^/]+)/(.+)$", r"/workspace/*/\1/\2", path)
    names = sorted({pair.partition("=")[0] for pair in query.split("&") if pair})
    return path + ("?" + "&".join(names) if names else "")


def forms_of(html: str, page: str) -> list[Form]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for element in soup.find_all("form"):
        fields: dict[str, Field] = {}
        for control in element.find_all(["input", "textarea", "select"]):
            name = control.get("name")
            if not name:
                continue
            if control.name == "textarea":
                fields.setdefault(name, Field(name, "textarea", value=control.get_text()))
            elif control.name == "select":
                options = tuple(option.get("value", option.get_text()) for option in control.find_all("option"))
                fields.setdefault(name, Field(name, "select", options))
            else:
                kind = (control.get("type") or "text").lower()
                if kind in ("submit", "button", "image", "reset"):
                    continue
                if kind in ("radio", "checkbox"):
                    earlier = fields.get(name)
                    options = (earlier.options if earlier else ()) + (control.get("value", "on"),)
                    fields[name] = Field(name, kind, options)
                elif kind == "hidden":
                    fields.setdefault(name, Field(name, "hidden", value=control.get("value", "")))
                elif name in fields:
                    fields[name] = replace(fields[name], count=fields[name].count + 1)
                else:
                    fields[name] = Field(name, kind if kind not in ("", "search") else "text",
                                         value=control.get("value", ""))
        action = _same_site(element.get("action") or page, page) or urlsplit(urljoin(page, element.get("action")
                                                                                    or page)).path
        found.append(Form(page=page, action=action, method=(element.get("method") or "get").lower(),
                          fields=tuple(fields.values())))
    return found


def crawl(client, starts: Iterable[str], *, limit: int = 220) -> list[Form]:
    """Every distinct form on the pages reachable from `starts` through same-site links. More than `limit` pages
    fails, rather than leaving the forms of the rest out."""
    queue = deque(starts)
    seen_shapes: set[str] = set()
    forms: dict[tuple, Form] = {}
    visited = 0
    while queue and visited < limit:
        url = queue.popleft()
        if _shape(url) in seen_shapes:
            continue
        seen_shapes.add(_shape(url))
        response = client.get(url)
        visited += 1
        assert response.status_code < 500, f"{url} answered {response.status_code} while crawling"
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for form in forms_of(html, url):
            forms.setdefault(form.key, form)
        for link in BeautifulSoup(html, "html.parser").find_all("a", href=True):
            target = _same_site(link["href"], url)
            if target is not None and _shape(target) not in seen_shapes:
                queue.append(target)
    unvisited = {_shape(url) for url in queue} - seen_shapes
    assert not unvisited, f"the crawl stopped at {limit} pages with {len(unvisited)} kinds of page not visited"
    return list(forms.values())


def kind_of(form: Form) -> tuple:
    """Forms that do the same thing to different objects (the same section of each engagement, each
    organisation's edit form): the area of the site, the last word of the address and the fields."""
    words = [word for word in form.action.split("?")[0].split("/") if word and not word.isdigit()]
    return form.method, words[0] if words else "", words[-1] if words else "", tuple(f.name for f in form.fields)

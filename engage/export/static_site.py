"""The static export of the public site (BRIEF §9): every public page, the JSON API, the CSV, the feed,
the sitemap and the assets, written as plain files with relative links, so the site can be served by any
static host or kept as an archive that outlives the service.

Each page is rendered by the application itself (through its test client, signed out, one application
context per request, as in production), so the export shows exactly what residents see. Pages are found
from the public data and by following the links in every exported page; only the public parts of the
site are ever fetched.

What cannot be static is pointed at the live service (`BASE_URL`): signing in, and every form (search
and filters on the engagement list and the insight library). Lists are exported unfiltered, one file per
page: `/engagements?page=2` becomes `engagements/page/2/index.html`, and the pagination links are
rewritten to match. JSON files are exactly what the API serves (so they still validate against its
schema and hash the same); the API's later pages are at `api/v1/engagements/page/<n>.json`.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import shutil
import tempfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.utils import secure_filename

from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication.services import versions_of
from engage.publication.visibility import is_public_clause

# The public parts of the site. Only these are fetched: anything else (signing in, the workspace,
# administration) is linked to the live service instead, so nothing private can leak into an export.
PUBLIC_BLUEPRINTS = frozenset({"public", "api", "feeds", "open_data", "reporting"})
PUBLIC_ENDPOINTS = frozenset({"pages.home", "pages.accessibility", "pages.privacy", "pages.brand_css"})

# Site-wide files, exported when the service has them.
SITE_URLS = ["/", "/engagements", "/insights", "/open-data", "/report-card", "/accessibility", "/privacy",
             "/engagements.csv", "/feed.atom", "/sitemap.xml", "/api/v1/engagements", "/api/v1/openapi.json",
             "/brand.css"]

MANIFEST = "export-manifest.json"

_LINK = re.compile(r"""(?P<before>\s(?P<attribute>href|src|action)\s*=\s*)(?P<quote>["'])(?P<url>.*?)(?P=quote)""",
                   re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<url>/[^"')]*)(?P=quote)\s*\)""")


class ExportError(RuntimeError):
    pass


@dataclass
class ExportReport:
    """What was written, and what the export points at the live service instead."""

    directory: Path
    files: dict[str, str] = field(default_factory=dict)  # URL → file, relative to the directory
    live_links: set[str] = field(default_factory=set)  # site URLs linked on the live service
    broken: dict[str, int] = field(default_factory=dict)  # linked public URL → the status it answered


def public_urls() -> list[str]:
    """The public URLs the data says exist: every public engagement (and every published version and
    uploaded output of a completed one) and the organisations that take part, in the page and API forms."""
    urls = list(SITE_URLS)
    engagements = db.session.scalars(select(Engagement).where(is_public_clause()).order_by(Engagement.id)).all()
    organisation_ids: set[int] = set()
    for engagement in engagements:
        versions = versions_of(engagement.id) if engagement.current_step is Step.COMPLETED else []
        urls += [f"/engagements/{engagement.slug}", f"/api/v1/engagements/{engagement.slug}"]
        organisation_ids.add(engagement.lead_organisation_id)
        organisation_ids.update(c.organisation_id for c in engagement.collaborators)
        for version in versions:
            urls += [f"/engagements/{engagement.slug}/versions/{version.number}",
                     f"/api/v1/engagements/{engagement.slug}/versions/{version.number}"]
            urls += [output["url"] for output in version.record.get("outputs") or []
                     if str(output.get("url", "")).startswith("/")]
    if organisation_ids:
        urls += [f"/organisations/{slug}" for slug in db.session.scalars(
            select(Organisation.slug).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.slug))]
    return list(dict.fromkeys(urls))


class _Site:
    """Which URLs are public, and where each is written."""

    def __init__(self, app: Flask):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.static_prefix = (app.static_url_path or "/assets").rstrip("/") + "/"

    def endpoint(self, path: str) -> str | None:
        try:
            endpoint, _ = self.adapter.match(path, method="GET")
        except RequestRedirect:
            return None
        except HTTPException:
            return None
        return endpoint

    def is_public(self, path: str) -> bool:
        endpoint = self.endpoint(path)
        if endpoint is None or endpoint == "static":
            return False
        return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS

    def static_file(self, path: str) -> str | None:
        """The file under assets/ for a static URL, if there is one."""
        if not path.startswith(self.static_prefix) or self.app.static_folder is None:
            return None
        relative = posixpath.normpath(path.removeprefix(self.static_prefix))
        if relative.startswith("..") or not (Path(self.app.static_folder) / relative).is_file():
            return None
        return f"assets/{relative}"


def exportable(url: str, site: _Site) -> str | None:
    """The URL as it is fetched for the export (a public path, at most with a page number), or None."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if value != ""]
    if any(key != "page" for key, _ in query) or len(query) > 1:
        return None  # filters and searches need the live service
    if query and not (query[0][1].isdigit() and int(query[0][1]) >= 1):
        return None
    if not site.is_public(parts.path):
        return None
    page = int(query[0][1]) if query else 1
    return parts.path if page == 1 else f"{parts.path}?page={page}"


def file_for(url: str, content_type: str, content_disposition: str = "") -> str:
    """Where a URL's response is written: pages as …/index.html, JSON as ….json, lists' later pages under
    …/page/<n>/, downloads under their own name."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    page = dict(parse_qsl(parts.query)).get("page")
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if mimetype == "text/html":
        directory = posixpath.join(path, "page", page) if page else path
        return posixpath.join(directory, "index.html") if directory else "index.html"
    if mimetype == "application/json" and not path.endswith(".json"):
        return f"{path}/page/{page}.json" if page else f"{path}.json"
    filename = _attachment_name(content_disposition)
    if filename and "." not in posixpath.basename(path):
        return posixpath.join(path, filename)  # an uploaded file, under its own name and type
    if page:
        stem, dot, extension = path.rpartition(".")
        return f"{stem}/page/{page}{dot}{extension}" if dot else f"{path}/page/{page}"
    return path or "index.html"


def _attachment_name(content_disposition: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", content_disposition) or re.search(
        r'filename="?([^";]+)"?', content_disposition)
    if not match:
        return ""
    from urllib.parse import unquote

    return secure_filename(unquote(match.group(1))) or "download"


def relative_link(from_file: str, to_file: str) -> str:
    start = posixpath.dirname(from_file) or "."
    return posixpath.relpath(to_file, start)


def _links_in_html(text: str) -> list[str]:
    return [html.unescape(match.group("url")) for match in _LINK.finditer(text)
            if match.group("attribute").lower() != "action"]


def _links_in_json(text: str, url: str) -> list[str]:
    """A JSON list's other pages, worked out from its own counts (its `links` may carry other parameters)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return []
    total, per_page = data.get("total"), data.get("per_page")
    if not isinstance(total, int) or not isinstance(per_page, int) or per_page < 1:
        return []
    path = urlsplit(url).path
    return [f"{path}?page={page}" for page in range(2, -(-total // per_page) + 1)]


def _safe_path(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ExportError(f"refusing to write outside the export: {relative}")
    return target


def _fetch_all(app: Flask, site: _Site, root: Path, report: ExportReport) -> None:
    queue = deque(url for url in (exportable(u, site) for u in public_urls()) if url)
    seen = set(queue)
    client = app.test_client(use_cookies=False)
    while queue:
        url = queue.popleft()
        # A fresh application context (and so database session) for each page, as for a real request.
        with app.app_context():
            response = client.get(url)
        if response.status_code != 200:
            report.broken[url] = response.status_code
            response.close()
            continue
        body = response.get_data()
        response.close()
        relative = file_for(url, response.content_type or "", response.headers.get("Content-Disposition", ""))
        if relative in report.files.values():
            raise ExportError(f"two pages would be written to {relative}")
        target = _safe_path(root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        report.files[url] = relative
        mimetype = (response.content_type or "").split(";", 1)[0]
        if mimetype == "text/html":
            found = _links_in_html(body.decode("utf-8", "replace"))
        elif mimetype == "application/json":
            found = _links_in_json(body.decode("utf-8", "replace"), url)
        else:
            found = []
        for link in found:
            next_url = exportable(link.split("#", 1)[0], site)
            if next_url and next_url not in seen:
                seen.add(next_url)
                queue.append(next_url)


def _rewrite_html(text: str, this_file: str, site: _Site, report: ExportReport, base_url: str) -> str:
    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group("url"))
        if not url.startswith("/") or url.startswith("//"):
            return match.group(0)
        without_fragment, hash_mark, fragment = url.partition("#")
        target = None
        if match.group("attribute").lower() != "action":
            fetched = exportable(without_fragment, site)
            target = report.files.get(fetched) if fetched else site.static_file(urlsplit(without_fragment).path)
        if target is None:
            # Forms, signing in and filtered lists need the service itself.
            report.live_links.add(without_fragment)
            new = base_url + url
        else:
            new = relative_link(this_file, target) + hash_mark + fragment
        return f"{match.group('before')}{match.group('quote')}{html.escape(new, quote=True)}{match.group('quote')}"

    return _LINK.sub(replace, text)


def _copy_assets(app: Flask, root: Path) -> None:
    if app.static_folder is None or not Path(app.static_folder).is_dir():
        return
    assets = root / "assets"
    shutil.copytree(app.static_folder, assets)
    for stylesheet in assets.rglob("*.css"):
        stylesheet.write_text(_relative_css(stylesheet.read_text(encoding="utf-8"),
                                            stylesheet.relative_to(root).as_posix()), encoding="utf-8")


def _relative_css(text: str, this_file: str) -> str:
    def replace(match: re.Match[str]) -> str:
        url = match.group("url")
        if url.startswith("/assets/"):
            url = relative_link(this_file, "assets/" + url.removeprefix("/assets/"))
        return f"url({match.group('quote')}{url}{match.group('quote')})"

    return _CSS_URL.sub(replace, text)


def _write(app: Flask, root: Path) -> ExportReport:
    report = ExportReport(directory=root)
    site = _Site(app)
    _copy_assets(app, root)
    _fetch_all(app, site, root, report)
    base_url = app.config["BASE_URL"].rstrip("/")
    for relative in report.files.values():
        if not relative.endswith(".html"):
            continue
        path = root / relative
        path.write_text(_rewrite_html(path.read_text(encoding="utf-8"), relative, site, report, base_url),
                        encoding="utf-8")
    manifest = {"base_url": base_url, "files": dict(sorted(report.files.items())),
                "live_links": sorted(report.live_links)}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return report


def export_site(app: Flask, directory: Path | str) -> ExportReport:
    """Write the public site to `directory`, replacing an earlier export there. The new export is built
    beside it and swapped in at the end, so a reader never sees half of one, and nothing from an earlier
    export (an engagement since held back, say) survives into the new one."""
    directory = Path(directory).resolve()
    if directory.exists() and (not directory.is_dir() or (any(directory.iterdir())
                                                           and not (directory / MANIFEST).is_file())):
        raise ExportError(f"{directory} is not empty and is not an earlier export: choose an empty or new "
                          f"directory")
    directory.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        report = _write(app, building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if directory.exists():
        old = directory.with_name(f".{directory.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        directory.rename(old)
        building.rename(directory)
        shutil.rmtree(old, ignore_errors=True)
    else:
        building.rename(directory)
    directory.chmod(0o755)  # made private while it was being built
    report.directory = directory
    return report

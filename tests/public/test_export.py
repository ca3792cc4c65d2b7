"""`flask --app wsgi publish export DIR`: the whole public site as static files. The demo data (plus a
held-back engagement and a published file) is exported, and every link in every exported page is followed."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.accounts.models import User
from engage.demo.seed import seed
from engage.engagements import files
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, OutputKind, Step
from engage.export.static_site import MANIFEST, ExportError, export_site
from engage.extensions import db
from engage.publication.visibility import is_public
from engage.site.queries import DEFAULT_PER_PAGE
from tests.engagements.conftest import engagement_at, tell_story  # noqa: F401 - the fixture
from tests.public.scale import copy_engagements

BASE_URL = "http://localhost"
HELD_BACK_TITLE = "Review of a closing day centre"
UPLOADED_BYTES = b"township,conversations\nHeywood,140\nMiddleton,57\n"
# Links that can only work on the live service: signing in, and lists filtered or searched.
LIVE_ONLY_PATHS = {"/sign-in"}
# Following a record, an area or a theme by e-mail is a form on the live service.
LIVE_ONLY_PREFIXES = ("/follow/",)
FILTERABLE_PATHS = {"/engagements", "/insights", "/engagements.csv", "/api/v1/engagements"}


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def site(app, tmp_path, uploads, engagement_at) -> Path:  # noqa: F811 - the fixture imported above
    seed()
    held_back = engagement_at(Step.FRAME, title=HELD_BACK_TITLE)
    engagements.set_held_back(held_back, actor=held_back.lead_user, held_back=True,
                              reason="The service's staff have not been told yet.")
    with_file = engagement_at(Step.STORY, title="Counting conversations")
    stored = files.store(io.BytesIO(UPLOADED_BYTES), "conversations.csv")
    engagements.add_output(with_file, actor=with_file.lead_user, title="Conversations by township",
                           kind=OutputKind.DATASET, description="How many conversations were held where.",
                           upload=stored)
    tell_story(with_file, with_file.lead_user)
    engagements.move_on(with_file, actor=with_file.lead_user)
    db.session.commit()
    return export(app, tmp_path / "site")


def export(app, directory: Path, *args: str) -> Path:
    result = app.test_cli_runner().invoke(args=["publish", "export", str(directory), *args])
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    assert "Not exported" not in result.output
    return directory


def manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text())


def html_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.html"))


def ids_in(page: Path) -> set[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return {tag["id"] for tag in soup.find_all(id=True)}


def links_in(page: Path) -> list[tuple[str, str]]:
    """(tag name, URL) for every link, source and form target in the page."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = []
    for tag in soup.find_all(True):
        for attribute in ("href", "src", "action", "poster"):
            if tag.has_attr(attribute):
                found.append((tag.name, tag[attribute]))
        if tag.has_attr("srcset"):
            found += [(tag.name, part.split()[0]) for part in tag["srcset"].split(",") if part.strip()]
    return found


def test_every_link_in_every_exported_page_leads_to_a_file_in_the_export(site):
    root = site.resolve()
    pages = html_files(site)
    assert len(pages) >= 15
    broken, live = [], []
    for page in pages:
        for tag, url in links_in(page):
            where = f"{page.relative_to(root)}: {tag} {url}"
            parts = urlsplit(url)
            if url.startswith("/"):
                broken.append(f"{where} (still absolute)")
            elif url.startswith(BASE_URL):
                live.append((tag, url))
            elif parts.scheme:  # mailto:, and other sites
                continue
            else:
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
                if not target.is_relative_to(root):
                    broken.append(f"{where} (outside the export)")
                elif not target.is_file():
                    broken.append(f"{where} (no such file)")
                elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids_in(target):
                    broken.append(f"{where} (no #{parts.fragment} there)")
    assert broken == []
    for tag, url in live:
        parts = urlsplit(url)
        assert tag == "form" or parts.path in LIVE_ONLY_PATHS or parts.path.startswith(LIVE_ONLY_PREFIXES) or (
            parts.path in FILTERABLE_PATHS and parts.query), f"{url} should have been exported"


def test_the_export_has_every_public_page_and_open_data_file(site):
    public = [e for e in db.session.scalars(select(Engagement).order_by(Engagement.id)) if is_public(e)]
    assert len(public) == 6
    expected = {"index.html", "engagements/index.html", "insights/index.html", "open-data/index.html",
                "accessibility/index.html", "privacy/index.html", "engagements.csv", "feed.atom", "sitemap.xml",
                "api/v1/engagements.json", "api/v1/openapi.json", "assets/main.css", "brand.css"}
    for e in public:
        expected |= {f"engagements/{e.slug}/index.html", f"api/v1/engagements/{e.slug}.json",
                     f"organisations/{e.lead_organisation.slug}/index.html"}
        expected |= {f"organisations/{c.organisation.slug}/index.html" for c in e.collaborators}
    langley = "neighbourhood-support-in-langley"
    for number in (1, 2):
        expected |= {f"engagements/{langley}/versions/{number}/index.html",
                     f"api/v1/engagements/{langley}/versions/{number}.json"}

    written = {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}
    assert expected - written == set()


def test_the_second_version_page_links_to_the_first_and_the_change_note_is_there(site):
    langley = site / "engagements" / "neighbourhood-support-in-langley"
    latest = (langley / "index.html").read_text(encoding="utf-8")
    assert "not £3.86 as first published" in latest
    linked = {(langley / url).resolve() for _, url in links_in(langley / "index.html") if not urlsplit(url).scheme}
    assert (langley / "versions" / "1" / "index.html").resolve() in linked
    assert "£3.86" in (langley / "versions" / "1" / "index.html").read_text(encoding="utf-8")


def test_every_json_file_parses_and_is_exactly_what_the_api_serves(site, client):
    files_by_url = manifest(site)["files"]
    api = {url: path for url, path in files_by_url.items() if path.endswith(".json")}
    assert len(api) >= 10
    for url, path in api.items():
        data = json.loads((site / path).read_text(encoding="utf-8"))
        assert data == client.get(url).get_json(), url
    for path in site.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_the_export_has_no_personal_data_no_held_back_engagement_and_nothing_still_at_the_challenge(site):
    people = db.session.scalars(select(User)).all()
    assert len(people) >= 8
    private = db.session.scalars(select(Engagement).where(
        (Engagement.held_back.is_(True)) | (Engagement.current_step == Step.CHALLENGE))).all()
    assert {e.title for e in private} == {HELD_BACK_TITLE, "Trauma-informed front doors"}
    forbidden = [p.email for p in people] + [p.name for p in people] + [e.title for e in private] + [
        e.slug for e in private]

    found = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".atom", ".xml", ".txt", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [(path.relative_to(site).as_posix(), word) for word in forbidden if word in text]
    assert found == []


def test_a_published_file_is_exported_under_its_own_name_and_linked_from_its_page(site):
    engagement = db.session.scalar(select(Engagement).where(Engagement.title == "Counting conversations"))
    [output] = engagement.outputs
    exported = site / "engagements" / engagement.slug / "outputs" / str(output.id) / "conversations.csv"
    assert exported.read_bytes() == UPLOADED_BYTES
    page = site / "engagements" / engagement.slug / "index.html"
    assert any((page.parent / url).resolve() == exported.resolve() for _, url in links_in(page)
               if not urlsplit(url).scheme)


def test_a_long_list_is_exported_page_by_page_with_pagination_links_that_work(app, tmp_path, engagement_at):  # noqa: F811
    seed()
    templates = [e.id for e in db.session.scalars(select(Engagement)) if is_public(e)]
    copy_engagements(templates, 2 * DEFAULT_PER_PAGE + 1 - len(templates))
    site = export(app, tmp_path / "site")

    pages = [site / "engagements" / "index.html", *(site / "engagements" / "page" / str(n) / "index.html"
                                                    for n in (2, 3))]
    assert all(page.is_file() for page in pages)
    assert not (site / "engagements" / "page" / "4").exists()
    first = {(pages[0].parent / url).resolve() for _, url in links_in(pages[0]) if not urlsplit(url).scheme}
    assert pages[1].resolve() in first
    third = {(pages[2].parent / url).resolve() for _, url in links_in(pages[2]) if not urlsplit(url).scheme}
    assert {pages[0].resolve(), pages[1].resolve()} <= third
    api_pages = [site / "api" / "v1" / "engagements.json", site / "api" / "v1" / "engagements" / "page" / "2.json",
                 site / "api" / "v1" / "engagements" / "page" / "3.json"]
    items = [item["slug"] for path in api_pages for item in json.loads(path.read_text())["items"]]
    assert len(items) == len(set(items)) == 2 * DEFAULT_PER_PAGE + 1
    assert all((site / "engagements" / slug / "index.html").is_file() for slug in items)


def test_an_export_replaces_the_earlier_one_so_an_engagement_since_held_back_disappears(app, tmp_path):
    seed()
    directory = export(app, tmp_path / "site")
    slug = "staying-well-at-home"
    assert (directory / "engagements" / slug / "index.html").is_file()
    engagement = db.session.scalar(select(Engagement).where(Engagement.slug == slug))
    engagements.set_held_back(engagement, actor=engagement.lead_user, held_back=True, reason="A complaint.")
    db.session.commit()

    export(app, directory)

    assert not (directory / "engagements" / slug).exists()
    assert not (directory / "api" / "v1" / "engagements" / f"{slug}.json").exists()
    assert slug not in (directory / "engagements" / "index.html").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_refuses_a_directory_that_holds_something_else(app, tmp_path):
    directory = tmp_path / "documents"
    directory.mkdir()
    (directory / "budget.xlsx").write_bytes(b"not ours")

    result = app.test_cli_runner().invoke(args=["publish", "export", str(directory)])

    assert result.exit_code != 0
    assert "is not empty and is not an earlier export" in result.output
    assert [p.name for p in directory.iterdir()] == ["budget.xlsx"]
    with pytest.raises(ExportError):
        export_site(app, directory)


def test_the_export_can_also_be_written_as_a_zip_archive(app, tmp_path):
    seed()
    directory = export(app, tmp_path / "site", "--zip")

    with zipfile.ZipFile(tmp_path / "site.zip") as archive:
        names = set(archive.namelist())
        assert "index.html" in names and "engagements/index.html" in names and MANIFEST in names
        assert archive.read("engagements.csv") == (directory / "engagements.csv").read_bytes()

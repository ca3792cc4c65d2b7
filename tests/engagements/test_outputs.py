"""Story outputs: links or uploaded files whose type is decided by their content, kept outside the web root
under a generated name, served only as attachments and only to people who can see the workspace."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select

from config import Config
from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.engagements import files, services
from engage.engagements.models import CollaboratorRole, Engagement, OutputKind, StoryOutput
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from tests.engagements.conftest import error_summary, parsed
from tests.factories import Factories, csrf_token, sign_in

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")
CSV = "Township,Replies\nHeywood,42\nRochdale (Kirkholt),17\nCafé group,3\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54


def png_bytes() -> bytes:
    """A real one-pixel white PNG: signature, IHDR, IDAT and IEND chunks with their checksums."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = png_bytes()


@pytest.fixture
def uploads(app, monkeypatch, tmp_path) -> Path:
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(path))
    return path


@pytest.fixture
def lead(make: Factories) -> User:
    return make.lead()


@pytest.fixture
def partner_organisation(make: Factories) -> Organisation:
    return make.organisation(kind=OrganisationKind.VCFSE, name="Healthwatch Northbrook")


@pytest.fixture
def engagement(lead: User, partner_organisation: Organisation) -> Engagement:
    engagement = services.open_engagement(title="Self-care policy", actor=lead)
    services.add_collaborator(engagement, actor=lead, organisation=partner_organisation,
                              role=CollaboratorRole.HEALTHWATCH)
    db.session.commit()
    return engagement


@contextmanager
def browser(app, user: User) -> Iterator[FlaskClient]:
    """A browser of its own, signed in as this person."""
    client = app.test_client()
    sign_in(client, user)
    yield client


def outputs_path(engagement: Engagement) -> str:
    return f"/workspace/{engagement.slug}/outputs"


def add_output(client, engagement: Engagement, *, upload: tuple[bytes, str] | None = None, url: str = "",
               title: str = "What helps: a Healthwatch report", kind: str = "report",
               description: str = "Findings from 140 conversations across Heywood."):
    path = outputs_path(engagement)
    data: dict = {"title": title, "kind": kind, "description": description, "url": url,
                  "csrf_token": csrf_token(client, path)}
    if upload is not None:
        content, filename = upload
        data["upload"] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def outputs_of(engagement: Engagement) -> list[StoryOutput]:
    db.session.expire_all()
    return list(db.session.scalars(select(StoryOutput).where(StoryOutput.engagement_id == engagement.id)
                                   .order_by(StoryOutput.id)))


def files_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def field_error(page: BeautifulSoup, field: str) -> str:
    message = page.select_one(f"#{field}-error")
    assert message is not None, f"no error message by the {field} field"
    return message.get_text(" ", strip=True).removeprefix("Error:").strip()


def download_path(engagement: Engagement, output: StoryOutput) -> str:
    return f"/workspace/{engagement.slug}/outputs/{output.id}/file"


def remove(client, engagement: Engagement, output: StoryOutput):
    return client.post(f"/workspace/{engagement.slug}/outputs/{output.id}/remove",
                       data={"csrf_token": csrf_token(client, outputs_path(engagement))})


# Links -------------------------------------------------------------------------------------------------

def test_a_link_output_is_added_listed_and_audited(client, lead, engagement, uploads):
    sign_in(client, lead)

    response = add_output(client, engagement, url="https://healthwatch-northbrook.example.org/reports/self-care")

    assert response.status_code == 302
    assert response.headers["Location"] == outputs_path(engagement)
    [output] = outputs_of(engagement)
    assert output.url == "https://healthwatch-northbrook.example.org/reports/self-care"
    assert output.stored_name is None
    assert output.author_id == lead.id
    assert files_in(uploads) == []
    listing = parsed(client.get(outputs_path(engagement)))
    link = listing.find("a", href="https://healthwatch-northbrook.example.org/reports/self-care")
    assert link is not None and link.get_text(strip=True) == "What helps: a Healthwatch report"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "engagement.output_added"))
    assert (event.actor_id, event.subject_id) == (lead.id, engagement.id)
    assert event.data == {"title": "What helps: a Healthwatch report", "kind": "report"}


def test_neither_a_link_nor_a_file_is_refused_and_keeps_what_was_typed(client, lead, engagement, uploads):
    sign_in(client, lead)

    response = add_output(client, engagement, title="Self-care toolkit", kind="toolkit",
                          description="Cards for self-care champions to use with groups.")

    assert response.status_code == 200
    page = parsed(response)
    assert ("#url", "Give a link or choose a file") in error_summary(page)
    assert field_error(page, "url") == "Give a link or choose a file"
    assert page.select_one("#title")["value"] == "Self-care toolkit"
    assert page.select_one("#description").get_text() == "Cards for self-care champions to use with groups."
    assert page.select_one("input[name=kind][value=toolkit]").has_attr("checked")
    assert outputs_of(engagement) == []


PRIVATE_LINKS = ["http://127.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                 "http://192.168.1.1/router", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/",
                 "http://0x7f.1/", "http://localhost/", "http://localhost./", "https://intranet.localhost/x",
                 "http://[fd12:3456::1]/"]


@pytest.mark.parametrize("url", PRIVATE_LINKS)
def test_a_link_into_a_private_network_is_refused_when_saved(app, lead, engagement, url, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    with pytest.raises(services.EngagementError) as refused:
        services.add_output(engagement, actor=lead, title="A report", kind=OutputKind.REPORT, description="",
                            url=url)
    assert (refused.value.field, refused.value.message) == ("url", services.PRIVATE_LINK_MESSAGE)
    with pytest.raises(services.EngagementError) as refused:
        services.add_hook(engagement, actor=lead, title="A plan", url=url)
    assert (refused.value.field, refused.value.message) == ("url", services.PRIVATE_LINK_MESSAGE)


def test_a_private_link_is_refused_on_the_page_and_what_was_typed_is_kept(app, client, lead, engagement, uploads,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    sign_in(client, lead)

    response = add_output(client, engagement, url="http://169.254.169.254/latest/meta-data/")

    assert response.status_code == 200
    page = parsed(response)
    assert ("#url", services.PRIVATE_LINK_MESSAGE) in error_summary(page)
    assert field_error(page, "url") == services.PRIVATE_LINK_MESSAGE
    assert page.select_one("#url")["value"] == "http://169.254.169.254/latest/meta-data/"
    assert page.select_one("#title")["value"] == "What helps: a Healthwatch report"
    assert outputs_of(engagement) == []


def test_a_network_the_administrator_allowed_is_accepted_and_public_names_are_not_looked_up(app, lead, engagement,
                                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["10.0.0.0/8"])
    services.add_output(engagement, actor=lead, title="Intranet copy", kind=OutputKind.REPORT, description="",
                        url="http://10.0.0.1/report")
    # A host name is not resolved when the link is saved (the link check asks when it follows it).
    services.add_output(engagement, actor=lead, title="Report", kind=OutputKind.REPORT, description="",
                        url="https://no-such-host.invalid/report")
    db.session.commit()
    assert [o.url for o in outputs_of(engagement)] == ["http://10.0.0.1/report", "https://no-such-host.invalid/report"]


# Uploads -----------------------------------------------------------------------------------------------

UPLOADS = [
    pytest.param(PDF, "Evening clinic report.pdf", "pdf", "application/pdf", id="pdf"),
    pytest.param(PNG, "Kirkholt workshop.png", "png", "image/png", id="png"),
    pytest.param(CSV, "Survey replies.csv", "csv", "text/csv", id="csv"),
]


@pytest.mark.parametrize(("content", "filename", "extension", "content_type"), UPLOADS)
def test_an_upload_is_stored_outside_the_web_root_under_a_generated_name(
        client, app, lead, engagement, uploads, content, filename, extension, content_type):
    sign_in(client, lead)

    response = add_output(client, engagement, upload=(content, filename))

    assert response.status_code == 302
    [output] = outputs_of(engagement)
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", output.stored_name)
    assert output.original_filename == filename
    assert output.content_type == content_type
    assert output.size_bytes == len(content)
    assert output.url == ""
    [stored] = files_in(uploads)
    assert stored == uploads / output.stored_name
    assert stored.read_bytes() == content
    static = Path(app.static_folder).resolve()
    assert not stored.resolve().is_relative_to(static)
    assert not list(static.rglob(output.stored_name))


def test_the_configured_upload_directory_is_outside_the_web_root(app):
    configured = Path(Config.UPLOAD_DIR).resolve()

    for served in (app.static_folder, app.template_folder):
        assert not configured.is_relative_to(Path(app.root_path, served).resolve())


@pytest.mark.parametrize(("content", "filename", "extension", "content_type"), UPLOADS)
def test_a_download_is_an_attachment_with_the_detected_type_and_nosniff(
        client, lead, engagement, uploads, content, filename, extension, content_type):
    sign_in(client, lead)
    add_output(client, engagement, upload=(content, filename))
    [output] = outputs_of(engagement)

    response = client.get(download_path(engagement, output))

    assert response.status_code == 200
    assert response.data == content
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{filename}"' in disposition or f"filename={filename}" in disposition


@pytest.mark.parametrize(("content", "filename", "stored_as", "content_type"), [
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "Hopwood walk.jpeg", "jpg", "image/jpeg",
                 id="jpeg-ending"),
    pytest.param(PDF, "ANNUAL REPORT.PDF", "pdf", "application/pdf", id="capital-ending"),
    pytest.param(PNG, "photo", "png", "image/png", id="no-ending"),
])
def test_the_usual_variations_of_a_name_are_accepted(client, lead, engagement, uploads, content, filename,
                                                     stored_as, content_type):
    sign_in(client, lead)

    assert add_output(client, engagement, upload=(content, filename)).status_code == 302

    [output] = outputs_of(engagement)
    assert output.stored_name.endswith(f".{stored_as}")
    assert (output.original_filename, output.content_type) == (filename, content_type)


def test_two_uploads_with_the_same_name_are_kept_apart(client, lead, engagement, uploads):
    sign_in(client, lead)

    add_output(client, engagement, upload=(PDF, "report.pdf"), title="First report")
    add_output(client, engagement, upload=(PDF + b"% second\n", "report.pdf"), title="Second report")

    first, second = outputs_of(engagement)
    assert first.stored_name != second.stored_name
    assert (uploads / first.stored_name).read_bytes() == PDF
    assert (uploads / second.stored_name).read_bytes() == PDF + b"% second\n"


@pytest.mark.parametrize("filename", ["../../evil.pdf", "/etc/evil.pdf", "reports/../../../evil.pdf"])
def test_a_path_in_the_uploaded_filename_does_not_escape_the_upload_directory(
        client, lead, engagement, uploads, tmp_path, filename):
    sign_in(client, lead)

    assert add_output(client, engagement, upload=(PDF, filename)).status_code == 302

    [output] = outputs_of(engagement)
    assert output.original_filename == "evil.pdf"
    [stored] = files_in(tmp_path)
    assert stored.parent == uploads
    assert stored.name == output.stored_name
    assert not Path("/etc/evil.pdf").exists()


def test_a_windows_path_in_the_filename_is_reduced_to_the_name(app, uploads, tmp_path):
    stored = files.store(io.BytesIO(PDF), "..\\..\\Users\\jo\\evil.pdf")

    assert stored.original_filename == "evil.pdf"
    assert files_in(tmp_path) == [uploads / stored.stored_name]


MISMATCHES = [
    pytest.param(HTML, "report.pdf", "The selected file is not a PDF file, but its name ends in .pdf",
                 id="html-named-pdf"),
    pytest.param(HTML, "photo.png", "The selected file is not a PNG file, but its name ends in .png",
                 id="html-named-png"),
    pytest.param(ELF, "replies.csv", "The selected file is not a CSV file, but its name ends in .csv",
                 id="elf-named-csv"),
    pytest.param(WINDOWS_EXE, "replies.csv", "The selected file is not a CSV file, but its name ends in .csv",
                 id="exe-named-csv"),
    pytest.param(PNG, "report.pdf", "The selected file is not a PDF file, but its name ends in .pdf",
                 id="png-named-pdf"),
    pytest.param(PDF, "page.html", "The selected file is a PDF file, but its name ends in .html",
                 id="pdf-named-html"),
]


@pytest.mark.parametrize(("content", "filename", "message"), MISMATCHES)
def test_a_file_whose_content_does_not_match_its_name_is_refused(
        client, lead, engagement, uploads, content, filename, message):
    sign_in(client, lead)

    response = add_output(client, engagement, upload=(content, filename), title="Workshop notes",
                          description="What people said at the Heywood workshop.")

    assert response.status_code == 200
    page = parsed(response)
    assert ("#upload", message) in error_summary(page)
    assert field_error(page, "upload") == message
    assert page.select_one("#title")["value"] == "Workshop notes"
    assert page.select_one("#description").get_text() == "What people said at the Heywood workshop."
    assert outputs_of(engagement) == []
    assert files_in(uploads) == []


@pytest.mark.parametrize(("content", "filename", "message"), [
    pytest.param(HTML, "page.html", "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, CSV, "
                                    "plain text, PNG, JPEG, GIF, WebP or MP4 file", id="html"),
    pytest.param(ELF, "tool", "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, CSV, "
                              "plain text, PNG, JPEG, GIF, WebP or MP4 file", id="elf-without-extension"),
    pytest.param("Caf\u00e9 group,3\nHeywood,42\nRochdale,17\n".encode("latin-1"), "replies.csv",
                 "The selected file must be saved as UTF-8 text", id="csv-not-utf8"),
    pytest.param(b"", "empty.pdf", "The selected file is empty", id="empty"),
])
def test_a_file_of_a_type_that_is_not_accepted_is_refused(client, lead, engagement, uploads, content, filename,
                                                          message):
    sign_in(client, lead)

    response = add_output(client, engagement, upload=(content, filename))

    assert response.status_code == 200
    page = parsed(response)
    assert ("#upload", message) in error_summary(page)
    assert outputs_of(engagement) == []
    assert files_in(uploads) == []


def test_an_upload_over_the_size_limit_gets_413_and_nothing_is_kept(client, app, lead, engagement, uploads,
                                                                    monkeypatch):
    sign_in(client, lead)
    token = csrf_token(client, outputs_path(engagement))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)

    response = client.post(outputs_path(engagement), content_type="multipart/form-data", data={
        "title": "Large report", "kind": "report", "description": "Too big.", "csrf_token": token,
        "upload": (io.BytesIO(PDF + b"0" * 8192), "large.pdf")})

    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)
    assert outputs_of(engagement) == []
    assert files_in(uploads) == []


def test_an_upload_just_under_the_size_limit_is_accepted(client, app, lead, engagement, uploads, monkeypatch):
    sign_in(client, lead)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 16 * 1024)

    response = add_output(client, engagement, upload=(PDF + b"0" * 8192, "report.pdf"))

    assert response.status_code == 302
    [output] = outputs_of(engagement)
    assert output.size_bytes == len(PDF) + 8192


def test_the_upload_hint_states_the_configured_size_limit(client, app, lead, engagement, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    sign_in(client, lead)

    hint = parsed(client.get(outputs_path(engagement))).select_one("#upload-hint").get_text(" ", strip=True)

    assert "up to 5 MB" in hint
    assert "20 MB" not in hint


# Who may download and remove ---------------------------------------------------------------------------

def test_members_of_collaborating_organisations_may_download(app, make, lead, engagement, partner_organisation,
                                                             uploads):
    with browser(app, lead) as owner:
        add_output(owner, engagement, upload=(PDF, "report.pdf"))
    [output] = outputs_of(engagement)

    with browser(app, make.partner(organisation=partner_organisation)) as collaborator:
        response = collaborator.get(download_path(engagement, output))

    assert response.status_code == 200
    assert response.data == PDF


@pytest.mark.parametrize("role", ["partner of another organisation", "lead of another organisation"])
def test_someone_who_cannot_see_the_workspace_gets_404_for_a_file(app, make, lead, engagement, uploads, role):
    with browser(app, lead) as owner:
        add_output(owner, engagement, upload=(PDF, "report.pdf"))
    [output] = outputs_of(engagement)
    outsider = make.partner() if role.startswith("partner") else make.lead()

    with browser(app, outsider) as client:
        response = client.get(download_path(engagement, output))

    assert response.status_code == 404
    assert PDF not in response.data


def test_a_signed_out_visitor_is_sent_to_sign_in_for_a_file(app, lead, engagement, uploads):
    with browser(app, lead) as owner:
        add_output(owner, engagement, upload=(PDF, "report.pdf"))
    [output] = outputs_of(engagement)

    response = app.test_client().get(download_path(engagement, output))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_file_of_another_engagement_is_not_served_through_this_one(client, lead, engagement, uploads):
    sign_in(client, lead)
    other = services.open_engagement(title="Urgent care redesign", actor=lead)
    db.session.commit()
    add_output(client, other, upload=(PDF, "report.pdf"))
    [output] = outputs_of(other)

    assert client.get(download_path(engagement, output)).status_code == 404
    assert client.get(download_path(other, output)).status_code == 200


def test_a_link_output_has_no_file_to_download(client, lead, engagement, uploads):
    sign_in(client, lead)
    add_output(client, engagement, url="https://example.org/report")
    [output] = outputs_of(engagement)

    assert client.get(download_path(engagement, output)).status_code == 404


def test_removing_an_output_deletes_its_file(client, lead, engagement, uploads):
    sign_in(client, lead)
    add_output(client, engagement, upload=(PNG, "photo.png"), kind="photo")
    [output] = outputs_of(engagement)
    stored = uploads / output.stored_name
    assert stored.is_file()

    response = remove(client, engagement, output)

    assert response.status_code == 302
    assert outputs_of(engagement) == []
    assert not stored.exists()
    assert files_in(uploads) == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "engagement.output_removed"))
    assert (event.actor_id, event.data) == (lead.id, {"title": "What helps: a Healthwatch report"})


def test_a_collaborator_may_remove_their_own_output_but_not_someone_elses(app, make, lead, engagement,
                                                                         partner_organisation, uploads):
    partner = make.partner(organisation=partner_organisation)
    with browser(app, lead) as client:
        add_output(client, engagement, upload=(PDF, "lead.pdf"), title="Lead's report")
    with browser(app, partner) as client:
        add_output(client, engagement, upload=(PNG, "partner.png"), title="Partner's photo", kind="photo")
    leads_output, partners_output = outputs_of(engagement)
    assert partners_output.author_id == partner.id
    leads_file, partners_file = uploads / leads_output.stored_name, uploads / partners_output.stored_name

    with browser(app, partner) as client:
        listing = parsed(client.get(outputs_path(engagement)))
        refused = remove(client, engagement, leads_output)
        removed = remove(client, engagement, partners_output)

    remove_actions = [form["action"] for form in listing.select("form") if form.get("action", "").endswith("/remove")]
    assert remove_actions == [f"/workspace/{engagement.slug}/outputs/{partners_output.id}/remove"]
    assert refused.status_code == 403
    assert removed.status_code == 302
    assert [o.title for o in outputs_of(engagement)] == ["Lead's report"]
    assert leads_file.is_file()
    assert not partners_file.exists()


def test_the_lead_may_remove_a_collaborators_output(app, make, lead, engagement, partner_organisation, uploads):
    with browser(app, make.partner(organisation=partner_organisation)) as client:
        add_output(client, engagement, upload=(PNG, "partner.png"), kind="photo")
    [output] = outputs_of(engagement)

    with browser(app, lead) as client:
        assert remove(client, engagement, output).status_code == 302

    assert outputs_of(engagement) == []
    assert files_in(uploads) == []

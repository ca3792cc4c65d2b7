"""The command line (`flask --app wsgi …`): organisations, accounts, demo data and migrations."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, inspect, select

from engage import create_app
from engage.accounts.models import Role, User
from engage.audit.models import AuditEvent
from engage.demo.seed import DEMO_ACCOUNTS, DEMO_ORGANISATIONS, DEMO_PASSWORD
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from tests.databases import dispose, fresh_database
from tests.factories import latest_message_to, link_in, sign_in

STRONG_PASSWORD = "lantern quarry marmalade bicycle"


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return run


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def user_with_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# orgs create -------------------------------------------------------------------------------------

def test_orgs_create_adds_an_organisation_and_prints_its_slug(run):
    result = run("orgs", "create", "--name", "Northbrook Food Network", "--kind", "vcfse",
                 "--website", "https://food.example.org")

    assert result.exit_code == 0, result.output
    assert result.output == "Created Northbrook Food Network with slug northbrook-food-network.\n"
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.name, organisation.slug, organisation.kind, organisation.website) == (
        "Northbrook Food Network", "northbrook-food-network", OrganisationKind.VCFSE, "https://food.example.org")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.created")).all()
    assert (event.actor_id, event.subject_id) == (None, organisation.id)


def test_orgs_create_refuses_a_name_already_taken(run, make):
    make.organisation(name="Healthwatch Northbrook")

    result = run("orgs", "create", "--name", "Healthwatch northbrook", "--kind", "vcfse")

    assert result.exit_code == 1
    assert result.output == "Error: An organisation with this name already exists\n"
    assert count(Organisation) == 1


def test_orgs_create_refuses_an_unknown_kind(run):
    result = run("orgs", "create", "--name", "Somewhere", "--kind", "charity")

    assert result.exit_code == 2
    assert "Invalid value for '--kind': 'charity' is not one of 'public_sector', 'vcfse'." in result.output
    assert count(Organisation) == 0


# users create ------------------------------------------------------------------------------------

def test_users_create_reads_the_password_from_standard_input_and_the_person_can_sign_in(run, make, client):
    organisation = make.organisation(kind=OrganisationKind.VCFSE)

    result = run("users", "create", "--email", "Jo.Whitworth@Example.org", "--name", "Jo Whitworth",
                 "--org", organisation.slug, "--role", "partner", input=STRONG_PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    user = user_with_email("jo.whitworth@example.org")
    assert result.output == f"Created vcfse partner account {user.id}.\n"
    assert (user.name, user.role, user.organisation_id, user.is_active) == (
        "Jo Whitworth", Role.PARTNER, organisation.id, True)
    assert sign_in(client, user, STRONG_PASSWORD).headers["Location"] == "/dashboard"


def test_users_create_refuses_a_weak_password_with_a_clear_message(run, make):
    organisation = make.organisation(kind=OrganisationKind.VCFSE)

    result = run("users", "create", "--email", "weak@example.org", "--name", "Weak Password",
                 "--org", organisation.slug, "--role", "partner", input="password1\n")

    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: Choose a password that is harder to guess, for example three or four random words.")
    assert user_with_email("weak@example.org") is None


def test_users_create_refuses_an_empty_standard_input(run):
    result = run("users", "create", "--email", "admin@example.org", "--name", "Admin", "--role", "admin", input="")

    assert result.exit_code == 1
    assert result.output == "Error: Give the password on standard input, or use --invite.\n"
    assert count(User) == 0


def test_users_create_refuses_an_unknown_organisation_slug(run):
    result = run("users", "create", "--email", "lost@example.org", "--name", "Lost", "--org", "nowhere",
                 "--role", "partner", input=STRONG_PASSWORD + "\n")

    assert result.exit_code == 1
    assert result.output == "Error: No organisation has the slug 'nowhere'.\n"
    assert count(User) == 0


def test_users_create_refuses_a_role_that_does_not_fit_the_organisation(run, make):
    organisation = make.organisation(kind=OrganisationKind.VCFSE)

    result = run("users", "create", "--email", "lead@example.org", "--name", "Lead", "--org", organisation.slug,
                 "--role", "lead", input=STRONG_PASSWORD + "\n")

    assert result.exit_code == 1
    assert result.output == "Error: A public-sector lead must belong to a public-sector organisation\n"
    assert count(User) == 0


def test_users_create_with_invite_queues_an_invitation_that_works(run, make, client):
    admin = make.admin(name="Alex Morgan")
    organisation = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Northbrook Council")

    result = run("users", "create", "--email", "priya@example.org", "--name", "Priya Shah",
                 "--org", organisation.slug, "--role", "lead", "--invite")

    assert result.exit_code == 0, result.output
    user = user_with_email("priya@example.org")
    assert result.output == f"Created public-sector lead account {user.id} and queued an invitation.\n"
    assert not user.has_password
    message = latest_message_to("priya@example.org")
    assert message.subject == "You have been invited to Co-operative Engagement"
    assert message.sensitive
    assert "Alex Morgan has invited you to Co-operative Engagement for Northbrook Council" in message.body_text
    assert message.body_text.count("http://localhost/invitation/") == 1
    assert client.get(link_in(message), follow_redirects=True).status_code == 200
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.invited")).all()
    assert (event.actor_id, event.subject_id) == (admin.id, user.id)


def test_users_create_with_invite_needs_an_administrator_to_send_it(run):
    result = run("users", "create", "--email", "first@example.org", "--name", "First", "--role", "admin",
                 "--invite")

    assert result.exit_code == 1
    assert result.output == ("Error: An invitation needs an active administrator to send it; "
                             "create the first administrator with a password.\n")
    assert count(User) == 0


# demo seed ---------------------------------------------------------------------------------------

def added_counts(output: str) -> list[int]:
    """The numbers in the seed's first line ("Demo data: 7 organisations, 5 accounts … added.")."""
    first_line = output.splitlines()[0]
    assert first_line.startswith("Demo data: ") and first_line.endswith(" added."), first_line
    return [int(number) for number in re.findall(r"\d+", first_line)]


def rows_in_every_table() -> dict[str, int]:
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_seed_adds_the_demo_data_and_a_second_run_adds_nothing(run):
    first = run("demo", "seed")

    assert first.exit_code == 0, first.output
    assert added_counts(first.output)[:2] == [len(DEMO_ORGANISATIONS), len(DEMO_ACCOUNTS)]
    assert f"Demo log-ins (password for all: {DEMO_PASSWORD})" in first.output
    for account in DEMO_ACCOUNTS:
        assert account.email in first.output
    assert (count(Organisation), count(User)) == (len(DEMO_ORGANISATIONS), len(DEMO_ACCOUNTS))
    after_first = rows_in_every_table()

    second = run("demo", "seed")

    assert second.exit_code == 0, second.output
    assert set(added_counts(second.output)) == {0}
    assert rows_in_every_table() == after_first


def test_demo_seed_if_empty_seeds_an_empty_database(run):
    result = run("demo", "seed", "--if-empty")

    assert result.exit_code == 0, result.output
    assert added_counts(result.output)[:2] == [len(DEMO_ORGANISATIONS), len(DEMO_ACCOUNTS)]
    assert count(User) == len(DEMO_ACCOUNTS)


def test_demo_seed_if_empty_leaves_a_database_with_accounts_alone(run, make):
    make.admin(email="owner@example.org")

    result = run("demo", "seed", "--if-empty")

    assert result.exit_code == 0, result.output
    assert result.output == "The database already has accounts; demo data not added.\n"
    assert count(User) == 1
    assert count(Organisation) == 0


# db upgrade --------------------------------------------------------------------------------------

def test_db_upgrade_creates_the_tables_in_an_empty_database(database_url, tmp_path):
    with fresh_database(database_url, tmp_path) as url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        try:
            # The runner would otherwise use the suite's app, whose context is already pushed.
            with app.app_context():
                result = app.test_cli_runner().invoke(args=["db", "upgrade"])
                assert result.exit_code == 0, result.output
                assert {table.name for table in db.metadata.sorted_tables} <= set(
                    inspect(db.engine).get_table_names())
        finally:
            dispose(app)

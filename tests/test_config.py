"""Configuration: production refuses to start without a real secret; database URLs and SQLite settings."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import config
from engage import ConfigurationError, create_app
from engage.accounts.models import Role, TwoFactorMethod, User
from engage.extensions import db
from tests.databases import dispose, migrated_app

REFUSAL = ("SECRET_KEY is missing or too weak. Set the SECRET_KEY environment variable to a random value "
           "of at least 32 characters")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'config-test.sqlite3'}"


@pytest.mark.parametrize("key", ["", "   ", "dev", "change-me", "Secret", "insecure-dev-key", "Zx9-too-short-to-trust"])
def test_production_refuses_to_start_with_a_missing_or_weak_secret_key(key, sqlite_url):
    with pytest.raises(ConfigurationError) as refused:
        create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": sqlite_url})
    assert str(refused.value).startswith(REFUSAL)
    assert "ENGAGE_ENV=development" in str(refused.value)


def test_production_starts_with_a_strong_secret_key(sqlite_url):
    key = secrets.token_urlsafe(48)
    app = create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": sqlite_url})
    try:
        assert app.config["SECRET_KEY"] == key
        assert app.config["ENV_NAME"] == "production"
        assert not app.config.get("TESTING")
    finally:
        dispose(app)


def test_development_runs_without_a_secret_key_of_its_own(sqlite_url):
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": sqlite_url})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is False
    finally:
        dispose(app)


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(RuntimeError, match="ENGAGE_ENV must be one of development, production, test, not 'staging'"):
        config.config_for("staging")


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://engage:pw@db.internal:5432/engage", "postgresql+psycopg://engage:pw@db.internal:5432/engage"),
    ("postgresql://engage:pw@db.internal/engage", "postgresql+psycopg://engage:pw@db.internal/engage"),
    ("postgresql+psycopg://engage:pw@db.internal/engage", "postgresql+psycopg://engage:pw@db.internal/engage"),
    ("  postgresql://engage@localhost/engage \n", "postgresql+psycopg://engage@localhost/engage"),
])
def test_database_urls_are_given_the_psycopg_driver(given, used, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config._database_url() == used


def test_without_database_url_the_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config._database_url() == f"sqlite:///{config.INSTANCE_DIR / 'engage.sqlite3'}"


@pytest.fixture
def sqlite_app(sqlite_url) -> Iterator[Flask]:
    app = migrated_app(sqlite_url)
    try:
        with app.app_context():
            yield app
    finally:
        dispose(app)


def pragma(name: str):
    return db.session.execute(text(f"PRAGMA {name}")).scalar()


def test_sqlite_file_connections_have_foreign_keys_on_and_write_ahead_logging(sqlite_app):
    assert pragma("foreign_keys") == 1
    assert pragma("journal_mode") == "wal"
    assert pragma("busy_timeout") == 5000


def test_sqlite_enforces_foreign_keys(sqlite_app):
    db.session.add(User(email="orphan@example.org", name="Orphan", role=Role.PARTNER, organisation_id=999,
                        two_factor_method=TwoFactorMethod.EMAIL))
    with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
        db.session.commit()
    db.session.rollback()

"""The migrations build exactly the tables the models describe, and can be taken down and back up.

Runs on a fresh database of the suite's kind (SQLite, or PostgreSQL when DATABASE_URL is set).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect

from engage import create_app
from engage.extensions import db
from engage.search.index import include_in_schema_comparison
from tests.databases import dispose, fresh_database


@pytest.fixture
def fresh_app(database_url: str, tmp_path) -> Iterator[Flask]:
    with fresh_database(database_url, tmp_path) as url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        try:
            with app.app_context():
                yield app
        finally:
            dispose(app)


def schema_differences() -> list:
    with db.engine.connect() as connection:
        # The same comparison `flask db migrate` makes, so "no differences" means no pending migration.
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": include_in_schema_comparison})
        return compare_metadata(context, db.metadata)


def check_constraints_in_database() -> dict[str, set[str]]:
    inspector = inspect(db.engine)
    return {table.name: {check["name"] for check in inspector.get_check_constraints(table.name)}
            for table in db.metadata.sorted_tables}


def check_constraints_in_models() -> dict[str, set[str]]:
    # Autogenerate does not compare CHECK constraints (the enums' allowed values among them), so compare names.
    return {table.name: {str(constraint.name) for constraint in table.constraints
                         if isinstance(constraint, CheckConstraint)}
            for table in db.metadata.sorted_tables}


def table_names() -> set[str]:
    # Less the full-text search index's tables on SQLite, made by the migration and not models.
    return {name for name in inspect(db.engine).get_table_names() if include_in_schema_comparison(name, "table")}


def test_there_is_one_migration_head(fresh_app):
    script = ScriptDirectory.from_config(fresh_app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def test_upgrading_an_empty_database_gives_exactly_the_models(fresh_app):
    assert table_names() == set()

    upgrade()

    assert schema_differences() == []
    assert table_names() == {table.name for table in db.metadata.sorted_tables} | {"alembic_version"}
    assert check_constraints_in_database() == check_constraints_in_models()


def test_downgrade_to_base_then_upgrade_again_gives_the_models_again(fresh_app):
    upgrade()

    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}

    upgrade()
    assert schema_differences() == []
    assert check_constraints_in_database() == check_constraints_in_models()

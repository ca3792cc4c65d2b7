"""The benchmark's small database, built once for each test module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from bench.build import build
from engage import create_app
from engage.extensions import db
from tests.bench.databases import SCALE, bench_database


@pytest.fixture(scope="module")
def bench_app(database_url: str, tmp_path_factory) -> Iterator[Flask]:
    with bench_database(database_url, tmp_path_factory.mktemp("bench")) as url:
        build(url, SCALE)
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def bench(bench_app: Flask) -> Iterator[Flask]:
    with bench_app.app_context():
        yield bench_app
        db.session.rollback()
        db.session.remove()

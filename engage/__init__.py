"""Co-operative Engagement: the application factory.

The factory imports the parts of the service inside its functions, on purpose: every module of the service
imports this package first, so importing a part here at the top would import every part (and the app's
wiring) whenever any one module is imported, and tie this package into an import cycle with all of them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, g
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, INSECURE_SECRET_KEYS, config_for

STATIC_DIR = Path(__file__).resolve().parent / "static"


class ConfigurationError(RuntimeError):
    pass


def _check_config(app: Flask) -> None:
    if app.config["ENV_NAME"] in ("development", "test"):
        return
    key = app.config.get("SECRET_KEY") or ""
    if key.strip().lower() in INSECURE_SECRET_KEYS or len(key) < 32:
        raise ConfigurationError(
            "SECRET_KEY is missing or too weak. Set the SECRET_KEY environment variable to a random value "
            "of at least 32 characters, for example the output of: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'. "
            "For a local trial, set ENGAGE_ENV=development instead."
        )


def create_app(env_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(STATIC_DIR),
        static_url_path="/assets",
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config_for(env_name))
    if overrides:
        app.config.update(overrides)
    _check_config(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_database(app)
    _subscribe_to_events()
    _init_templates(app)
    from engage import routing

    routing.init_app(app)
    _register_blueprints(app)
    from engage.caching import page_cache

    page_cache.init_app(app)

    from engage import errors
    from engage.security import headers, input_guard

    headers.init_app(app)
    input_guard.init_app(app)
    errors.init_app(app)
    _register_cli(app)
    _start_scheduler(app)
    return app


def _start_scheduler(app: Flask) -> None:
    """With SCHEDULER_IN_APP, the web process runs the scheduler too (the embedded default, `make run`)."""
    if not app.config["SCHEDULER_IN_APP"] or app.testing:
        return
    import os

    import click
    from flask.helpers import get_debug_flag

    context = click.get_current_context(silent=True)
    if context is not None:
        # Under the `flask` command: only `flask run` serves pages (not `db upgrade`, `scheduler run` …), and
        # with the reloader only its child process serves them (the parent just watches the files).
        if context.info_name != "run":
            return
        reload = context.params.get("reload")
        if (get_debug_flag() if reload is None else reload) and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            return
    from engage.scheduler.runner import start_in_app

    start_in_app(app)


def _init_database(app: Flask) -> None:
    from engage.database import configure_sqlite
    from engage.extensions import csrf, db, migrate

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    _import_models()


def _import_models() -> None:
    # Every model module, so that metadata (and so migrations) see every table.
    from engage.accounts import models as _accounts  # noqa: F401
    from engage.activity import models as _activity  # noqa: F401
    from engage.agreements import models as _agreements  # noqa: F401
    from engage.audit import models as _audit  # noqa: F401
    from engage.caching import changes as _site_changes  # noqa: F401
    from engage.commitments import models as _commitments  # noqa: F401
    from engage.engagements import models as _engagements  # noqa: F401
    from engage.following import models as _following  # noqa: F401
    from engage.mail import models as _mail  # noqa: F401
    from engage.notifications import models as _notifications  # noqa: F401
    from engage.organisations import models as _organisations  # noqa: F401
    from engage.publication import models as _publishing  # noqa: F401
    from engage.reporting import models as _reporting  # noqa: F401
    from engage.scheduler import models as _scheduler  # noqa: F401
    from engage.search import index as _search  # noqa: F401
    from engage.vocabularies import models as _vocabularies  # noqa: F401
    from engage.webhooks import models as _webhooks  # noqa: F401

    _register_gates()


def _register_gates() -> None:
    # Later parts of the service add their own gates to the steps when imported; the steps declare their order.
    from engage.activity import gates as _activity_gates  # noqa: F401
    from engage.agreements import gates as _agreement_gates  # noqa: F401
    from engage.engagements import steps
    from engage.publication import gates as _publishing_gates  # noqa: F401

    if steps.not_registered():
        raise RuntimeError(f"Step gates declared but not registered: {', '.join(steps.not_registered())}")


def _subscribe_to_events() -> None:
    # The domains announce what happened (engage.events) without knowing who answers: these parts answer.
    from engage.notifications import broken_links
    from engage.publication import listing, public_texts
    from engage.publication import services as publication
    from engage.reporting import daily as report_days
    from engage.site import cards, record_pages
    from engage.webhooks import events as webhooks

    for part in (webhooks, broken_links, publication, public_texts, listing, report_days, record_pages, cards):
        part.subscribe()


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    from engage import templating

    templating.init_app(app)

    @app.context_processor
    def service_context() -> dict[str, Any]:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "borough_name": app.config["BOROUGH_NAME"],
            "service_phase": app.config["PHASE"],
            "feedback_email": app.config["FEEDBACK_EMAIL"],
            "current_user": g.get("user"),
        }


def _register_blueprints(app: Flask) -> None:
    from engage.accounts.admin_views import bp as admin_accounts
    from engage.accounts.outbox_views import bp as outbox
    from engage.accounts.views import account_bp, auth_bp
    from engage.activity.views import bp as activity
    from engage.agreements.views import bp as agreements
    from engage.commitments.views import bp as commitments
    from engage.organisations.views import bp as organisations
    from engage.pages.views import bp as pages
    from engage.publication.views import bp as publishing
    from engage.scheduler.views import bp as scheduler
    from engage.site.views import bp as public
    from engage.vocabularies.views import bp as vocabularies
    from engage.workspace.engagement_views import bp as workspace
    from engage.workspace.views import dashboard_bp

    for blueprint in (pages, auth_bp, account_bp, admin_accounts, organisations, outbox, dashboard_bp, workspace,
                      vocabularies, agreements, activity, public, publishing, scheduler, commitments):
        app.register_blueprint(blueprint)
    from engage.opendata.api import bp as api
    from engage.opendata.feeds import bp as open_data

    app.register_blueprint(api)
    app.register_blueprint(open_data)
    from engage.webhooks.views import bp as webhooks

    app.register_blueprint(webhooks)
    from engage.reporting.views import bp as reporting

    app.register_blueprint(reporting)
    from engage.notifications.views import bp as notifications

    app.register_blueprint(notifications)
    from engage.following.views import bp as following

    app.register_blueprint(following)

    from flask import request

    from engage.accounts.sessions import load_signed_in_user

    @app.before_request
    def _load_user() -> None:
        g.no_store = False
        if request.endpoint in ("static", "pages.brand_css", "pages.healthz"):
            g.user = None
            return
        load_signed_in_user()


def _register_cli(app: Flask) -> None:
    from engage.accounts.cli import users_cli
    from engage.demo.cli import demo_cli
    from engage.export.cli import publish_cli
    from engage.mail.cli import mail_cli
    from engage.organisations.cli import orgs_cli
    from engage.scheduler.cli import scheduler_cli

    for group in (users_cli, orgs_cli, demo_cli, mail_cli, publish_cli, scheduler_cli):
        app.cli.add_command(group)

"""Many requests at once, as several web workers would send them: each in its own thread, released together by
a barrier. Each request of a test client runs in an application context of its own, so each thread has its
own database session and connection."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.factories import csrf_token, sign_in

Task = Callable[[threading.Barrier], str]


def all_at_once(tasks: list[Task]) -> list[str]:
    """Run every task in its own thread, released together; each returns its outcome, or the error it raised."""
    barrier = threading.Barrier(len(tasks))
    outcomes: list[str] = [""] * len(tasks)

    def run(index: int, task: Task) -> None:
        try:
            outcomes[index] = task(barrier)
        except Exception as error:  # reported by the assertions, not lost in the thread
            outcomes[index] = f"unexpected {type(error).__name__}: {error}"

    threads = [threading.Thread(target=run, args=(i, task)) for i, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes


def signed_in_browsers(app: Flask, user, count: int) -> list[FlaskClient]:
    """`count` browsers, each signed in as `user` through the pages with a session of its own."""
    browsers = []
    for _ in range(count):
        browser = app.test_client()
        sign_in(browser, user)
        browsers.append(browser)
    return browsers


def outcome_of(response) -> str:
    """The status and where a redirect goes, or the status and the page: what the assertions compare."""
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} {response.headers.get('Location', '')}"
    return f"{response.status_code} {response.get_data(as_text=True)}"


def posting(browser: FlaskClient, path: str, data: dict, *, token_from: str | None = None) -> Task:
    """A task that posts `data` to `path` once released, with the CSRF token of the page it came from (read
    now, before the crowd is released), and returns its outcome."""
    token = csrf_token(browser, token_from or path)

    def task(barrier: threading.Barrier) -> str:
        barrier.wait(timeout=60)
        return outcome_of(browser.post(path, data={**data, "csrf_token": token}))

    return task


@contextlib.contextmanager
def another_worker_writes_first(write: Callable[[], None]) -> Iterator[None]:
    """Just before the request's first write, `write` runs on a connection of its own and commits: the race a
    check-then-write loses to another worker, made to happen every time."""
    done: list[bool] = []

    def before_flush(session: Session, _context, _instances) -> None:
        if not done and (session.dirty or session.new):
            done.append(True)
            write()

    event.listen(Session, "before_flush", before_flush)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", before_flush)

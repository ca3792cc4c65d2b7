"""Who may open which page. Every view names its rule with one of these decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, redirect, request, url_for

from engage.accounts.models import Role
from engage.audit.refusals import refuse


def signed_in(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def role_required(*roles: Role) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @signed_in
        def wrapper(*args, **kwargs):
            if g.user.role not in roles:
                refuse(None, "role")
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


admin_required = role_required(Role.ADMIN)

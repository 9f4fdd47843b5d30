"""Session login with Flask-Login. The user is re-read on every request, so a changed membership or a
deactivated account takes effect at once."""
from __future__ import annotations

from typing import Any

from flask import current_app, session
from flask_login import LoginManager, UserMixin

from service.ops.access import Principal
from service.ops.users import UserView, find_user

SESSION_VERSION_KEY = "_alur_sv"    # the account's session version taken at login


def remember_session_version(view: UserView) -> None:
    session[SESSION_VERSION_KEY] = view.session_version


class WebUser(UserMixin):
    def __init__(self, view: UserView) -> None:
        self.view = view
        self.principal = Principal.of(view.id, view.groups, view.tenants)

    def get_id(self) -> str:
        return self.view.id

    @property
    def is_active(self) -> bool:
        return self.view.active

    @property
    def display_name(self) -> str:
        return self.view.display_name

    @property
    def is_admin(self) -> bool:
        return self.principal.is_admin

    @property
    def is_process_owner(self) -> bool:
        return self.principal.is_process_owner


def init_login(app: Any) -> LoginManager:
    manager = LoginManager()
    manager.login_view = "web.login"
    manager.login_message = "Silakan masuk terlebih dahulu."
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def load(user_id: str) -> WebUser | None:
        view = find_user(current_app.extensions["alur"].ops, user_id)
        if view is None or not view.active:
            return None
        # A session opened before a logout, a password change or a deactivation of the account is over,
        # even when its cookie was copied and replayed.
        if session.get(SESSION_VERSION_KEY) != view.session_version:
            return None
        return WebUser(view)

    manager.init_app(app)
    return manager


__all__ = ["WebUser", "init_login", "SESSION_VERSION_KEY", "remember_session_version"]

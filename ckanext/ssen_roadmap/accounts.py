"""Who may sign up, and whom visitors ask for an account when nobody may.

Requests need an account. When the site lets visitors register
(``ckan.auth.create_user_via_web``) the roadmap offers "Log in or register";
when it does not, it says so and names ``ckanext.ssen_roadmap.contact``
instead of sending people to a login page they cannot get past.
"""

from __future__ import annotations

from dataclasses import dataclass

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

__all__ = ["Contact", "can_register", "contact"]


@dataclass(frozen=True)
class Contact:
    """Whom to ask for an account: ``label`` is what people read, ``href``
    where it links (``mailto:``, a web page, or empty), ``text`` the same
    for plain-text places such as a flash message."""

    label: str
    href: str
    text: str


def can_register() -> bool:
    """Whether an anonymous visitor may create an account on the web, as
    CKAN's own ``/user/register`` decides (the ``user_create`` auth function)."""
    context = Context(model=model, session=model.Session, user="")
    try:
        tk.check_access("user_create", context, {})
    except tk.NotAuthorized:
        return False
    return True


def contact() -> Contact:
    """``ckanext.ssen_roadmap.contact`` as something to show: an e-mail
    address (``team@example.org`` or ``mailto:...``), a web address, or any
    other text (shown as is); when unset, the site's About page."""
    value = str(tk.config.get("ckanext.ssen_roadmap.contact") or "").strip()
    if not value:
        return _team_page(tk.url_for("home.about", _external=True))
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    if value.lower().startswith(("http://", "https://")):
        return _team_page(value)
    if "@" in value and " " not in value:
        return Contact(value, f"mailto:{value}", value)
    return Contact(value, "", value)


def _team_page(url: str) -> Contact:
    return Contact(tk._("the portal team"), url, tk._("the portal team ({url})").format(url=url))

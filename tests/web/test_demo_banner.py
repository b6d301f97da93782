"""Every page of the demo clinic says that it is a demo and that its recordings stand in; a real
clinic's pages do not."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reeducate.clinic import permissions
from reeducate.clinic.demo import DEMO_SLUG
from reeducate.clinic.vocabulary import Role
from reeducate.web.templating import templates


def _page(slug: str) -> str:
    user = SimpleNamespace(clinic=SimpleNamespace(slug=slug), role=Role.PHYSICAL_THERAPIST, display_name="J. Rivera")
    request = SimpleNamespace(url=SimpleNamespace(path="/schedule"))
    return templates.env.get_template("base.html").render(login=SimpleNamespace(user=user, csrf="x", can=permissions.of(user.role)),
                                                          request=request)


@pytest.mark.parametrize(("slug", "shown"), [(DEMO_SLUG, True), ("springfield-rehab", False)])
def test_the_demo_banner_shows_on_the_demo_clinics_pages_only(slug: str, shown: bool) -> None:
    assert ("public research recordings of other people" in _page(slug)) is shown

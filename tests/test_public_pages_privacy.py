"""Attendance at a pain group is health information: no public page, and no JSON-LD in one,
names or emails the people who RSVP'd or attended. Only facilitators' display names are public,
on their own group's page, by design."""

import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import Attendance
from groups.demo import load_demo
from groups.extensions import db
from groups.organisations.models import Group, group_facilitator
from groups.rsvps.models import RSVP


def public_pages(client) -> dict[str, str]:
    slugs = db.session.scalars(sa.select(Group.slug)).all()
    paths = ["/", "/?place=Sheffield&radius=50", "/?place=Leeds&radius=50", "/privacy",
             "/sign-in", "/sign-up", "/places/suggest?q=Shef"]  # fmt: skip
    paths += [f"/groups/{slug}" for slug in slugs]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    return pages


def test_no_public_page_names_anyone_who_rsvps_or_attends(app_context, client):
    load_demo()
    db.session.commit()
    facilitators = set(db.session.scalars(sa.select(group_facilitator.c.user_id)))
    answered = set(db.session.scalars(sa.select(RSVP.user_id))) | set(
        db.session.scalars(sa.select(Attendance.user_id).where(Attendance.user_id.is_not(None)))
    )
    people = db.session.scalars(sa.select(User).where(User.id.in_(answered - facilitators))).all()
    assert len(people) >= 3  # the demo has members who answered, or this test proves nothing
    pages = public_pages(client)
    assert any("going" in page for page in pages.values())  # counts are shown
    for path, page in pages.items():
        for person in people:
            assert person.display_name not in page, (path, person.display_name)
            assert person.email not in page, (path, person.email)

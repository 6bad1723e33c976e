"""An administrator changes a member's role, unit, job title and an auditor's access on the
member's page; everyone else keeps the read-only list (issue 22, people)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from qms.core import services
from qms.core.models import Membership, OrgUnit
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory, make_unit
from tests.page_forms import edit_form

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _member(cast, user) -> Membership:
    return Membership.objects.get(user=user, organization=cast.org_a)


def _url(cast, user) -> str:
    return reverse("core:member", args=[cast.org_a.slug, _member(cast, user).pk])


def _unit(cast, name="Plant One") -> OrgUnit:
    return OrgUnit.objects.get(organization=cast.org_a, name=name)


def _form(browser, url) -> dict:
    page = browser.get(url)
    assert page.status_code == 200
    return edit_form(page.content)


def test_admin_opens_a_members_page_from_people(cast):
    browser = _browser(cast.adam)
    people = browser.get(reverse("core:members", args=[cast.org_a.slug])).content.decode()
    assert f'href="{_url(cast, cast.carl)}"' in people

    page = browser.get(_url(cast, cast.carl)).content.decode()
    assert "Carl Test" in page
    assert "carl@example.test" in page
    assert "Contributor" in page
    assert "Active member" in page
    assert "Change role, unit and access" in page


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_other_roles_see_people_without_links(cast, username):
    page = _browser(getattr(cast, username)).get(reverse("core:members", args=[cast.org_a.slug]))
    assert page.status_code == 200
    assert _url(cast, cast.carl) not in page.content.decode()


def test_admin_changes_a_contributors_role_unit_and_title_with_history(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.carl)
    data = _form(browser, url)
    data.update(role=["quality_manager"], org_unit=[str(_unit(cast).pk)], job_title=["Lead"])

    response = browser.post(url, data)

    assert response.status_code == 302
    carl = _member(cast, cast.carl)
    assert (carl.role, carl.org_unit.name, carl.job_title) == (
        "quality_manager",
        "Plant One",
        "Lead",
    )
    page = browser.get(url).content.decode()
    assert "Adam Test</strong> changed this membership" in page
    assert "Changed by an administrator" in page
    assert "<td>Contributor</td><td>Quality manager</td>" in page
    assert "<td>Plant One</td>" in page


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_other_roles_cannot_open_or_change_a_member(cast, username):
    browser = _browser(getattr(cast, username))
    url = _url(cast, cast.carl)
    assert browser.get(url).status_code == 403
    response = browser.post(url, {"role": "admin", "job_title": "Boss"})
    assert response.status_code == 403
    carl = _member(cast, cast.carl)
    assert (carl.role, carl.job_title) == ("contributor", "")
    deactivate = reverse("core:member-deactivate", args=[cast.org_a.slug, carl.pk])
    assert browser.post(deactivate, {}).status_code == 403
    assert _member(cast, cast.carl).is_active


def test_another_organisations_member_answers_404(cast):
    bob = Membership.objects.get(user=cast.bob)
    browser = _browser(cast.adam)
    assert browser.get(reverse("core:member", args=[cast.org_a.slug, bob.pk])).status_code == 404
    response = browser.post(reverse("core:member", args=[cast.org_a.slug, bob.pk]), {"role": "a"})
    assert response.status_code == 404


def test_the_last_administrator_cannot_demote_themselves(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.adam)
    data = _form(browser, url)
    data.update(role=["contributor"])

    response = browser.post(url, data)

    assert response.status_code == 400
    assert "You are the last administrator of Acme Test Ltd" in response.content.decode()
    assert _member(cast, cast.adam).role == "admin"


def test_the_last_administrator_cannot_be_made_an_expiring_auditor(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.adam)
    data = _form(browser, url)
    data.update(role=["auditor"], access_expires_on=[timezone.localdate().isoformat()])

    response = browser.post(url, data)

    assert response.status_code == 400
    assert "the last administrator" in response.content.decode()
    assert _member(cast, cast.adam).role == "admin"


def test_a_demoted_administrator_loses_the_pages_on_their_next_request(cast):
    other = UserFactory(username="ada", first_name="Ada", last_name="Other")
    MembershipFactory(user=other, organization=cast.org_a, role=Role.ADMIN)
    browser = _browser(cast.adam)
    url = _url(cast, cast.adam)
    data = _form(browser, url)
    data.update(role=["contributor"])

    assert browser.post(url, data).status_code == 302
    # The same session, the next click: the role is read afresh, not kept from before.
    assert browser.get(url).status_code == 403


def test_an_auditor_needs_a_last_day_of_access(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.carl)
    data = _form(browser, url)
    data.update(role=["auditor"], access_expires_on=[""])

    response = browser.post(url, data)

    assert response.status_code == 400
    assert "give the last day of their access" in response.content.decode()
    assert _member(cast, cast.carl).role == "contributor"


def test_a_new_auditors_last_day_cannot_be_in_the_past(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.carl)
    data = _form(browser, url)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data.update(role=["auditor"], access_expires_on=[yesterday.isoformat()])

    response = browser.post(url, data)

    assert response.status_code == 400
    assert "The last day of access cannot be in the past" in response.content.decode()
    assert _member(cast, cast.carl).role == "contributor"


def test_end_access_today_in_one_click(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.audrey)
    data = _form(browser, url)
    data["end_access_today"] = ["1"]

    assert browser.post(url, data).status_code == 302

    audrey = _member(cast, cast.audrey)
    assert audrey.access_expires_on == timezone.localdate()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not audrey.has_expired() and audrey.has_expired(tomorrow)


def test_an_auditors_form_says_the_top_unit_means_the_whole_organisation(cast):
    page = _browser(cast.adam).get(_url(cast, cast.audrey)).content.decode()
    assert "the top unit, or no unit, means the whole organisation" in page
    assert "Their access is limited to it" in page


def test_a_unit_of_another_organisation_is_refused(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.carl)
    data = _form(browser, url)
    data.update(org_unit=[str(OrgUnit.objects.get(organization=cast.org_b).pk)])

    response = browser.post(url, data)

    assert response.status_code == 400
    assert "Choose a unit of this organisation." in response.content.decode()
    assert _member(cast, cast.carl).org_unit is None


def test_a_stale_form_is_refused_and_shows_the_current_member(cast):
    browser = _browser(cast.adam)
    url = _url(cast, cast.carl)
    data = _form(browser, url)
    # Someone else changes Carl while the page is open.
    services.membership_change(
        membership=_member(cast, cast.carl),
        actor=_member(cast, cast.adam),
        role="contributor",
        org_unit=None,
        job_title="Inspector",
        access_expires_on=None,
    )
    data.update(role=["executive"])

    response = browser.post(url, data)

    assert response.status_code == 409
    page = response.content.decode()
    assert "was changed by Adam Test at " in page
    assert 'value="Inspector"' in page
    assert _member(cast, cast.carl).role == "contributor"


def _people_page_queries(cast, count: int) -> int:
    unit = make_unit(cast.org_a, f"Unit {count}", parent=_unit(cast))
    for n in range(count):
        user = UserFactory(username=f"p{count}-{n}")
        MembershipFactory(user=user, organization=cast.org_a, org_unit=unit)
    browser = _browser(cast.adam)
    url = reverse("core:members", args=[cast.org_a.slug])
    browser.get(url)  # the session and the nav are warm
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    Membership.objects.filter(user__username__startswith=f"p{count}-").delete()
    return len(queries)


def test_people_page_costs_the_same_for_10_or_100_members(cast):
    ten = _people_page_queries(cast, 10)
    hundred = _people_page_queries(cast, 100)
    assert ten == hundred
    assert ten <= 12


def test_administrators_list_the_members_who_left(cast):
    carl = _member(cast, cast.carl)
    services.membership_deactivate(membership=carl, actor=_member(cast, cast.adam))
    browser = _browser(cast.adam)
    people = reverse("core:members", args=[cast.org_a.slug])
    assert "Carl Test" not in browser.get(people).content.decode()
    assert "Carl Test" in browser.get(people, {"status": "left"}).content.decode()
    # Others only ever see current members.
    assert "Carl Test" not in _browser(cast.quinn).get(people, {"status": "left"}).content.decode()


def test_day_format_in_refusal_is_a_date_people_read(cast):
    day = formats.date_format(timezone.localdate(), "j F Y")
    browser = _browser(cast.adam)
    url = _url(cast, cast.carl)
    data = _form(browser, url)
    data.update(role=["auditor"], access_expires_on=["2001-01-01"])
    assert f"give today ({day})" in browser.post(url, data).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_demoting_each_other_at_once_leave_one_and_answer_a_sentence(
    cast, monkeypatch
):
    """Each change locked its target, then the other administrators: two at once locked in
    opposite orders and PostgreSQL killed one with a deadlock, a 500 (fourth try-out). Each now
    waits (up to a second) for the other to reach the same point; with the administrators locked
    first, in one order, the other cannot, so one change passes and the other is refused."""
    import contextlib
    import threading

    from qms.core.immutable import TransitionError

    assert connection.vendor == "postgresql"
    adam = _member(cast, cast.adam)
    other = MembershipFactory(organization=cast.org_a, user=UserFactory(), role=Role.ADMIN)
    both_there = threading.Barrier(2, timeout=1)
    real = services._keep_an_administrator

    def wait_for_the_other(before, after, *, actor):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_there.wait()
        return real(before, after, actor=actor)

    monkeypatch.setattr(services, "_keep_an_administrator", wait_for_the_other)
    answers = {}

    def demote(name, actor, member):
        try:
            services.membership_change(
                membership=member, actor=actor, role=Role.CONTRIBUTOR, org_unit=member.org_unit,
                job_title=member.job_title, access_expires_on=None,
            )  # fmt: skip
            answers[name] = "changed"
        except TransitionError as refused:
            answers[name] = str(refused)
        except Exception as error:  # a deadlock, as before
            answers[name] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=("adam demotes", adam, other)),
        threading.Thread(target=demote, args=("other demotes", other, adam)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    changed = [name for name, answer in answers.items() if answer == "changed"]
    refused = [answer for answer in answers.values() if "the last administrator of" in answer]
    assert len(changed) == 1 and len(refused) == 1, answers
    admins = Membership.objects.filter(organization=cast.org_a, role=Role.ADMIN)
    assert admins.count() == 1


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</table>", start)
    return html[start:end]


@pytest.mark.parametrize("username", ["adam", "quinn"])
def test_an_auditor_whose_access_ended_is_listed_apart_with_the_day(cast, username):
    """Eddie's last day has passed: he is no longer a current member (fifth try-out: he was
    listed among them), and appears under "Access ended" with that day."""
    last_day = _member(cast, cast.eddie).access_expires_on
    page = _browser(getattr(cast, username)).get(reverse("core:members", args=[cast.org_a.slug]))
    html = page.content.decode()
    current = _section(html, "people-heading")
    assert "Current members" in current
    assert "Audrey Test" in current and "Eddie Test" not in current
    ended = _section(html, "ended-heading")
    assert "Access ended" in ended and "Eddie Test" in ended
    assert formats.date_format(last_day, "j M Y") in ended
    assert "Audrey Test" not in ended


def test_no_access_ended_heading_when_nobodys_access_has_ended(cast):
    Membership.objects.filter(user=cast.eddie).delete()
    html = _browser(cast.adam).get(reverse("core:members", args=[cast.org_a.slug])).content
    assert b"Access ended" not in html


def test_the_people_page_costs_the_same_with_10_or_100_ended_auditors(cast):
    def queries(count: int) -> int:
        for n in range(count):
            user = UserFactory(username=f"e{count}-{n}")
            MembershipFactory(
                user=user,
                organization=cast.org_a,
                role=Role.AUDITOR,
                access_expires_on=timezone.localdate() - datetime.timedelta(days=n + 1),
                org_unit=_unit(cast),
            )
        browser = _browser(cast.adam)
        url = reverse("core:members", args=[cast.org_a.slug])
        browser.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = browser.get(url)
        assert f"e{count}-0" in page.content.decode()
        Membership.objects.filter(user__username__startswith=f"e{count}-").delete()
        return len(captured)

    assert queries(10) == queries(100)

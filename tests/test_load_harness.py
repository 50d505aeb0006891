"""The load test's moving parts, without gunicorn or Locust (``make load`` runs those).

The simulated users' request functions run against the test client as real
users, so a changed page that the load test could no longer read fails here;
the lost-update check runs against real saves; the figures are computed from
known samples.
"""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from bench.load import scenario
from bench.load.scenario import SAVED, STALE, Browser, Ledger, Reply, Save, UnexpectedPage
from bench.load.summary import (
    MAX_P95_MS,
    Figures,
    Sample,
    budget_ms,
    figures,
    percentile,
    rows,
    table,
)
from bench.load.verify import audit_mark, verify
from coordination import policy
from coordination.cases.models import Case, Person
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.public_ids import decode
from coordination.referrals.models import Referral
from tests.helpers import DEMO_PASSWORD, pid


class FlaskTestClient:
    """:class:`bench.load.scenario.Client` over Flask's test client."""

    def __init__(self, client):
        self.client = client
        self.names: list[str] = []
        self.paths: list[str] = []

    def request(self, method, path, *, name, data=None, check=None):
        response = self.client.open(path, method=method, data=data, follow_redirects=True)
        reply = Reply(response.status_code, response.text)
        self.names.append(name)
        self.paths.append(path)
        problem = (check or scenario.expect_ok)(reply)
        if problem:
            raise UnexpectedPage(problem)
        return reply


@pytest.fixture
def person(browser):
    """``person("police.sokuluk")``: a signed-in :class:`Browser` with its own session."""
    ledger = Ledger()

    def sign_in(username: str, seed: int = 7) -> Browser:
        person = Browser(FlaskTestClient(browser()), ledger, random.Random(seed))
        person.sign_in(username, DEMO_PASSWORD)
        return person

    sign_in.ledger = ledger
    return sign_in


def test_a_refused_sign_in_is_a_failure(browser):
    with pytest.raises(UnexpectedPage, match="sign-in of police.sokuluk refused"):
        Browser(FlaskTestClient(browser()), Ledger()).sign_in("police.sokuluk", "wrong-password")


def test_inboxes_list_the_cases_to_act_on(person):
    social = person("social.sokuluk")
    incoming, in_progress = social.referral_inbox()
    assert incoming, "the demo has a referral awaiting social protection in Sokuluk"
    case_ids = [decode("case", token) for token in incoming]
    referrals = db.session.scalars(sa.select(Referral).where(Referral.case_id.in_(case_ids)))
    assert any(r.to_agency.code == "SOKULUK-SOCIAL" and r.status.value == "sent"
               for r in referrals)
    assert person("police.sokuluk").follow_up_cases()


def test_closing_a_follow_up_is_saved_and_verified(person):
    police = person("police.sokuluk")
    mark = audit_mark()
    assert police.close_follow_up() == SAVED
    [save] = person.ledger.saves
    follow_up = db.session.get(FollowUp, decode('follow_up', save.object_id))
    db.session.refresh(follow_up)
    assert (follow_up.status.value, follow_up.closing_note) == ("done", save.note)
    checked = verify(person.ledger.saves, mark)
    assert (checked.saved, checked.lost_updates, checked.problems) == (1, 0, [])


def test_answering_a_referral_is_saved_and_verified(person):
    social = person("social.sokuluk")
    mark = audit_mark()
    assert social.answer_referral() == SAVED
    [save] = person.ledger.saves
    assert save.kind == "referral" and save.step in ("accept", "decline")
    assert verify(person.ledger.saves, mark).lost_updates == 0


def test_a_conflict_lets_one_save_through_and_refuses_the_other(person):
    first, second = person("police.sokuluk"), person("police.sokuluk", seed=8)
    mark = audit_mark()
    outcomes = scenario.conflict(first, second, lambda a, b: (a(), b()))
    assert outcomes == (SAVED, STALE)
    assert person.ledger.conflicts == [outcomes]
    assert scenario.conflict_resolved(outcomes)
    a, b = person.ledger.saves
    assert (a.kind, a.object_id, a.base_version) == (b.kind, b.object_id, b.base_version)
    checked = verify(person.ledger.saves, mark)
    assert (checked.saved, checked.stale, checked.lost_updates) == (1, 1, 0)


def test_verify_counts_an_overwrite_as_a_lost_update(person):
    police = person("police.sokuluk")
    mark = audit_mark()
    assert police.close_follow_up() == SAVED
    [save] = person.ledger.saves
    # Had the version check been skipped, a second person's save from the same
    # page would also have been accepted:
    overwrite = Save(save.kind, save.object_id, save.base_version, "done", "another note",
                     outcome=SAVED)
    checked = verify([save, overwrite], mark)
    assert checked.lost_updates == 1
    assert any("same version" in problem for problem in checked.problems)


def test_verify_counts_a_change_the_users_were_not_told_of(person):
    police = person("police.sokuluk")
    mark = audit_mark()
    assert police.close_follow_up() == SAVED
    [save] = person.ledger.saves
    save.outcome = STALE  # as if the user had been told it was refused
    checked = verify([save], mark)
    assert checked.lost_updates == 1
    assert "1 changes audited for 0 accepted saves" in checked.problems[0]


class FixedRandom(random.Random):
    """Draws that choose a given branch: ``random()`` is fixed, ``randint`` the highest."""

    def __init__(self, value):
        super().__init__(0)
        self.value = value

    def random(self):
        return self.value

    def randint(self, _low, high):
        return high


def test_coordinator_browses_filters_and_pages(person):
    coordinator = person("coordinator.sokuluk")
    for value in (0.1, 0.4, 0.65, 0.9):
        coordinator.rng = FixedRandom(value)
        assert coordinator.browse_cases()
    assert {"GET /cases?q=", "GET /cases?status=", "GET /cases?risk=",
            "GET /cases?after="} <= set(coordinator.client.names)
    case_id = coordinator.browse_cases()[0]
    assert coordinator.open_case(case_id) is not None


def test_browsing_walks_the_list_by_its_next_links_and_stops_at_the_last_page(
        person, app, user, monkeypatch):
    """A keyset list has no page numbers (``?page=2`` is the first page again):
    the walk follows each page's "next" link, and on the last page, where only
    "Previous" and "Newest" lead anywhere, it stops instead of starting over."""
    visible = db.session.scalar(policy.visible_cases(user("coordinator.sokuluk"))
                                .with_only_columns(sa.func.count(Case.id)))
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", (visible + 1) // 2)  # two pages
    coordinator = person("coordinator.sokuluk")
    coordinator.rng = FixedRandom(0.9)  # the unfiltered list, then up to three pages on
    shown = coordinator.browse_cases()
    paths = coordinator.client.paths[coordinator.client.names.index("GET /cases"):]
    assert len(paths) == 2 and "after=" in paths[1], paths
    first = [case_id for case_id, _ref in scenario.case_links(coordinator.get(
        "/cases", "GET /cases").text)]
    assert shown and not set(shown) & set(first)
    assert len(first) + len(shown) == visible


def test_the_next_link_is_the_pagers_rel_next_only():
    last_page = ('<nav class="pager"><a href="/cases?before=abc" rel="prev">Previous</a>'
                 '<a href="/cases">Newest</a></nav>')
    assert scenario.next_link(last_page) is None
    middle = last_page.replace("</nav>", '<a href="/cases?status=open&amp;after=def" '
                               'rel="next">Next</a></nav>')
    assert scenario.next_link(middle) == "/cases?status=open&after=def"


def test_analyst_reads_the_country_a_region_a_district_and_a_csv(person):
    analyst = person("ministry.analyst")
    for value in (0.1, 0.5, 0.9):
        analyst.rng = FixedRandom(value)
        analyst.view_reports()
    assert {"GET /reports?region=", "GET /reports?district=",
            "GET /reports/aggregate.csv"} <= set(analyst.client.names)


def test_case_page_step_forms_carry_token_version_and_choices(person):
    police = person("police.sokuluk")
    case_id = police.follow_up_cases()[0]
    forms = [f for f in police.open_case(case_id) if f.kind == "follow_up"]
    assert forms and all(f.csrf and f.version >= 1 and "done" in f.choices for f in forms)
    follow_up = db.session.get(FollowUp, decode('follow_up', forms[0].object_id))
    assert follow_up.version == forms[0].version
    assert forms[0].action == f"/followups/{pid(follow_up)}/close"


def test_save_outcome_tells_saved_stale_and_other_refusals_apart():
    def page(category, message):
        return Reply(200, f'<div class="flash flash-{category}" role="status">{message}</div>')

    assert scenario.save_outcome(page("success", "Follow-up closed.")) == SAVED
    assert scenario.save_outcome(page("error", scenario.STALE_MESSAGES[0] + ": ...")) == STALE
    assert scenario.save_outcome(page("error", scenario.STALE_MESSAGES[1] + ".")) == STALE
    assert scenario.save_outcome(page("error", "This step is not possible now")) is None
    assert scenario.save_outcome(Reply(200, "<p>no message</p>")) is None


def test_a_closed_ledger_starts_no_save():
    ledger = Ledger(closed=True)
    with pytest.raises(scenario.LedgerClosed):
        ledger.begin(Save("follow_up", 1, 1, "done", None))


# --- the figures --------------------------------------------------------------------


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == \
        (50, 95, 99)
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_rows_count_requests_failures_and_throughput_per_label():
    samples = [Sample("GET /cases", 100.0 + i, 10.0 * (i + 1)) for i in range(10)]
    samples.append(Sample("GET /referrals", 105.0, 500.0, error="HTTP 500"))
    by_name = {r.name: r for r in rows(samples, seconds=11.0)}
    assert by_name["GET /cases"].requests == 10 and by_name["GET /cases"].failures == 0
    assert by_name["GET /cases"].p95_ms == 100.0
    assert by_name["GET /referrals"].failures == 1
    assert (by_name["total"].requests, by_name["total"].rps) == (11, 1.0)
    assert "GET /referrals" in table("mix", list(by_name.values()))


def test_final_line_and_targets():
    mix = rows([Sample("GET /cases", 0.0, 40.0)] * 60, seconds=2.0)[-1]
    baseline = rows([Sample("GET baseline", 0.0, 2.0)] * 200, seconds=2.0)[-1]
    result = figures(mix, baseline, failures=0, lost_updates=0)
    assert result.line() == ("rps=30.0 p50_ms=40.0 p95_ms=40.0 p99_ms=40.0 failures=0 "
                             "lost_updates=0 baseline_rps=100.0 fraction_of_baseline=0.300")
    assert all(met for _target, met in result.targets())
    slow = Figures(rps=10, p50_ms=1, p95_ms=MAX_P95_MS + 1, p99_ms=1, failures=1,
                   lost_updates=1, baseline_rps=100)
    assert not any(met for _target, met in slow.targets())


def test_home_page_is_read(person):
    coordinator = person("coordinator.sokuluk")
    coordinator.home()
    assert coordinator.client.names[-1] == "GET /"


def test_correcting_a_person_posts_the_form_as_drawn_and_is_verified(person):
    coordinator = person("coordinator.sokuluk")
    mark = audit_mark()
    assert coordinator.correct_person(coordinator.browse_cases()) == SAVED
    [save] = person.ledger.saves
    assert (save.kind, save.step) == ("person", "correct")
    corrected = db.session.get(Person, decode("person", save.object_id))
    db.session.refresh(corrected)
    assert corrected.patronymic == save.note
    assert corrected.version == save.base_version + 1
    checked = verify(person.ledger.saves, mark)
    assert (checked.saved, checked.lost_updates, checked.problems) == (1, 0, [])


def test_a_second_correction_from_the_same_page_is_refused_as_stale(person):
    first, second = person("coordinator.sokuluk"), person("coordinator.sokuluk", seed=8)
    case_id = first.browse_cases()[0]
    [link, *_] = scenario.correction_links(first.case_page(case_id))
    [form] = scenario.correction_forms(first.correction_page(link))
    [theirs] = scenario.correction_forms(second.correction_page(link))
    assert theirs.object_id == form.object_id
    mark = audit_mark()
    assert (first.submit_correction(form), second.submit_correction(theirs)) == (SAVED, STALE)
    assert verify(person.ledger.saves, mark).lost_updates == 0


def test_form_fields_post_what_the_form_shows():
    body = ('<input id="a" name="a" type="text" value="Asel &amp; co">'
            '<input name="tick" type="checkbox" value="y">'
            '<input checked name="ticked" type="checkbox" value="y">'
            '<select id="sex" name="sex"><option value="m">m</option>'
            '<option selected value="f">f</option></select>'
            '<select name="rel"><option value="">—</option><option value="x">x</option></select>')
    assert scenario.form_fields(body) == [("a", "Asel & co"), ("ticked", "y"), ("sex", "f"),
                                          ("rel", "")]


def test_each_page_shows_its_share_of_the_waiting_and_its_distance_from_the_target():
    measured = rows([Sample("GET /cases", 0.0, 300.0)] * 3 + [Sample("GET /", 0.0, 100.0)] * 1,
                    seconds=1.0)
    lines = {line.split()[1]: line.split() for line in table("mix", measured).splitlines()
             if line.startswith("GET")}
    assert lines["/cases"][-2:] == ["90.0", "2.00"]
    assert lines["/"][-2:] == ["10.0", "0.67"]
    # 11 sessions without pauses reach 30 % of 100 requests/s at a mean of 367 ms.
    assert round(budget_ms(11, 100.0)) == 367

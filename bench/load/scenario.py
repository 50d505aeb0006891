"""What the simulated users do, over a small client interface.

A :class:`Browser` is one signed-in person. It reads the pages that person
would read (inboxes, case lists, case pages, reports), picks from them what
its agency may act on, and submits the real forms, CSRF token and ``version``
field included. Locust drives it (``locustfile``); the test suite drives it
through Flask's test client, so the page parsing cannot rot unnoticed.

Pages are asked for in English (``?lang=en`` once after signing in) so that a
refused save can be told apart by its message: a stale save is expected under
concurrency and counted, any other refusal is a failure.
"""
from __future__ import annotations

import html
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol
from urllib.parse import quote


@dataclass(frozen=True)
class Reply:
    """A response after redirects: its status and its text."""

    status: int
    text: str


#: Says what is wrong with a reply, or None when it is what a working app answers.
Check = Callable[[Reply], "str | None"]


class Client(Protocol):
    """One browser's connection: cookies kept, redirects followed."""

    def request(self, method: str, path: str, *, name: str, data: dict | None = None,
                check: Check | None = None) -> Reply:
        """Send one request; a reply that ``check`` rejects is a failure (raises
        :class:`UnexpectedPage` after recording it)."""


class UnexpectedPage(Exception):
    """A reply that a working app would not give; the request counts as failed."""


def expect_ok(reply: Reply) -> str | None:
    """The default check: 200 after redirects."""
    return None if reply.status == 200 else f"HTTP {reply.status}"


# --- reading pages ------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_CASE_LINK = re.compile(r'<a href="/cases/([a-z2-7]{13})(?:#[\w-]+)?">([^<]*)</a>')
_STEP_FORM = re.compile(
    r'<form method="post" action="(/(referrals|followups)/([a-z2-7]{13})/(?:step|close))"'
    r'[^>]*>(.*?)</form>',
    re.S)
_VERSION = re.compile(r'name="version" value="(\d+)"')
#: A step's button, or (an in-place confirm step) its hidden field.
_CHOICE = re.compile(
    r'(?:<button type="submit"|<input type="hidden") name="(step|outcome)" value="(\w+)"')
_FLASH = re.compile(r'<div class="flash flash-(\w+)"[^>]*>(.*?)</div>', re.S)
#: A keyset list's "next" link (the pager's ``rel="next"``; "Previous" and
#: "Newest" lead back, and a last page has no "next").
_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
#: The inbox's list (the expiring orders above it link cases too).
_INBOX_LIST = re.compile(r'<section class="card" id="inbox-list"[^>]*>(.*?)</section>', re.S)
_SELECT = re.compile(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option[^>]*value="([^"]*)"')
_SIGN_IN_FORM = re.compile(r'name="password"')
_CORRECTION_FORM = re.compile(
    r'<form method="post" action="(/cases/people/([a-z2-7]{13})/correct)"[^>]*>(.*?)</form>', re.S)
#: A person's "Correct or complete" link on a case page: the page again, with
#: that person's correction form (the only one it draws).
_CORRECTION_LINK = re.compile(
    r'<a href="(/cases/[a-z2-7]{13}\?correct=[a-z2-7]{13})#correct-person"')
_INPUT = re.compile(r'<input\b([^>]*)>')
_ATTRIBUTE = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')
_SELECTED = re.compile(r'<option\b([^>]*)>')

#: The two messages of a refused stale save (coordination.workflow.check_version
#: and the StaleDataError mapping in coordination.errors).
STALE_MESSAGES = ("Someone changed this while you had the page open",
                  "Someone saved a change to this at the same moment")
SAVED, STALE = "saved", "stale"

#: Steps that answer or carry on a referral (the receiving agency's).
ANSWER_STEPS = ("accept", "decline", "start", "complete")
#: Steps whose form needs a note (a reason or an outcome); the note is kept.
NEEDS_NOTE = {"decline", "complete", "done", "cancel", "revoke"}


def csrf_token(text: str) -> str | None:
    """The first CSRF token in a page, if any."""
    match = _CSRF.search(text)
    return (match.group(1) or match.group(2)) if match else None


def case_links(text: str) -> list[tuple[str, str]]:
    """``(case id, link text)`` of every case linked from a page, in page order."""
    return [(case_id, html.unescape(label).strip())
            for case_id, label in _CASE_LINK.findall(text)]


def next_link(text: str) -> str | None:
    """The list's own link to its next page (a keyset cursor, ``after=...``),
    unescaped; None on the last page. Lists have no page numbers: ``?page=N``
    would open the first page again."""
    match = _NEXT.search(text)
    return html.unescape(match.group(1)) if match else None


def select_options(text: str, name: str) -> list[str]:
    """The non-empty option values of the ``<select name=...>`` of a form."""
    for select_name, body in _SELECT.findall(text):
        if select_name == name:
            return [value for value in _OPTION.findall(body) if value]
    return []


def flashes(text: str) -> list[tuple[str, str]]:
    """``(category, message)`` of each flashed message on a page."""
    return [(category, html.unescape(re.sub(r"\s+", " ", message)).strip())
            for category, message in _FLASH.findall(text)]


@dataclass(frozen=True)
class StepForm:
    """One step form of a case page: a referral's steps or a follow-up's closing."""

    kind: str  #: "referral" or "follow_up"
    object_id: str  #: the URL token
    action: str  #: the form's URL
    version: int
    field: str  #: "step" (referral) or "outcome" (follow-up)
    choices: tuple[str, ...]
    csrf: str


def step_forms(text: str) -> list[StepForm]:
    """The step forms on a case page that offer the user at least one choice."""
    forms = []
    for action, area, object_id, body in _STEP_FORM.findall(text):
        version, token, choices = _VERSION.search(body), csrf_token(body), _CHOICE.findall(body)
        if version is None or token is None or not choices:
            continue
        forms.append(StepForm(
            kind="referral" if area == "referrals" else "follow_up", object_id=object_id,
            action=action, version=int(version.group(1)), field=choices[0][0],
            choices=tuple(value for _name, value in choices), csrf=token))
    return forms


def save_outcome(reply: Reply) -> str | None:
    """``saved``, ``stale`` (refused because the page was stale), or None for
    anything else (an unexpected refusal or no message at all)."""
    messages = flashes(reply.text)
    errors = [message for category, message in messages if category == "error"]
    if errors:
        return STALE if all(m.startswith(STALE_MESSAGES) for m in errors) else None
    return SAVED if any(category == "success" for category, _m in messages) else None


@dataclass(frozen=True)
class CorrectionForm:
    """A person's correction form on a case page, with what it shows filled in."""

    object_id: str  #: the person's URL token
    action: str
    version: int
    fields: tuple[tuple[str, str], ...]  #: every posted field as drawn (csrf and version too)


def _attributes(tag: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in _ATTRIBUTE.findall(tag)}


def form_fields(body: str) -> list[tuple[str, str]]:
    """What a browser would post for a form as drawn: text and hidden inputs,
    ticked checkboxes, and each select's chosen (or first) option."""
    posted = []
    for tag in _INPUT.findall(body):
        attributes = _attributes(tag)
        if "name" not in attributes:
            continue
        if attributes.get("type") == "checkbox" and "checked" not in attributes:
            continue
        posted.append((attributes["name"], attributes.get("value", "y")))
    for name, options in _SELECT.findall(body):
        values = [_attributes(tag) for tag in _SELECTED.findall(options)]
        chosen = next((o for o in values if "selected" in o), values[0] if values else None)
        if chosen is not None:
            posted.append((name, chosen.get("value", "")))
    return posted


def correction_links(text: str) -> list[str]:
    """The links of a case page that open one person's correction form."""
    return [html.unescape(path) for path in _CORRECTION_LINK.findall(text)]


def correction_forms(text: str) -> list[CorrectionForm]:
    """The person correction forms of a page (a case page opened by a
    person's correction link draws that person's)."""
    forms = []
    for action, object_id, body in _CORRECTION_FORM.findall(text):
        fields = form_fields(body)
        version = dict(fields).get("version")
        if version is None or not version.isdigit():
            continue
        forms.append(CorrectionForm(object_id, action, int(version), tuple(fields)))
    return forms


class LedgerClosed(Exception):
    """The run is ending: the save is not submitted."""


# --- the record of saves (what verify checks against the database) -------------


@dataclass
class Save:
    """One submitted save: the object, the version its page showed, the step,
    the unique note it carried (if the step keeps one) and how it ended."""

    kind: str
    object_id: str  #: the URL token
    base_version: int
    step: str
    note: str | None
    outcome: str = "pending"  #: then "saved", "stale" or "failed"


@dataclass
class Ledger:
    """Every save attempt of the run, and how many are still in flight."""

    saves: list[Save] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)

    #: Set when the run ends: no new save starts, those in flight finish.
    closed: bool = False

    def begin(self, save: Save) -> Save:
        """Record a save about to be submitted; refused once the run is ending."""
        if self.closed:
            raise LedgerClosed
        self.saves.append(save)
        return save

    @property
    def in_flight(self) -> int:
        """Saves submitted whose answer has not come yet."""
        return sum(1 for save in self.saves if save.outcome == "pending")

    def count(self, outcome: str) -> int:
        """Saves that ended with ``outcome``."""
        return sum(1 for save in self.saves if save.outcome == outcome)


# --- one person at a browser ----------------------------------------------------


class Browser:
    """A person signed in through the real form, acting on what their pages offer."""

    def __init__(self, client: Client, ledger: Ledger, rng: random.Random | None = None):
        self.client = client
        self.ledger = ledger
        self.rng = rng or random.Random()  # a load mix, not a secret  # nosec B311

    def get(self, path: str, name: str, check: Check = expect_ok) -> Reply:
        """GET ``path``, counted under ``name``."""
        return self.client.request("GET", path, name=name, check=check)

    def sign_in(self, username: str, password: str) -> None:
        """Sign in with the login form, then ask for English pages."""
        page = self.get("/login", "GET /login")
        token = csrf_token(page.text)
        self.client.request(
            "POST", "/login", name="POST /login",
            data={"username": username, "password": password, "csrf_token": token or ""},
            check=lambda reply: expect_ok(reply) or (
                f"sign-in of {username} refused" if _SIGN_IN_FORM.search(reply.text) else None))
        self.get("/?lang=en", "GET /?lang=en")

    # -- reading

    def referral_inbox(self) -> tuple[list[int], list[int]]:
        """The cases of referrals awaiting the agency's answer, and of those in
        progress: the first page of each of the inbox's two lists."""
        lists = []
        for query, name in (("", "GET /referrals"),
                            ("?box=in_progress", "GET /referrals?box=in_progress")):
            found = _INBOX_LIST.search(self.get(f"/referrals{query}", name).text)
            if found is None:
                raise UnexpectedPage("the referral inbox has no list")
            lists.append([case_id for case_id, _ref in case_links(found.group(1))])
        incoming, in_progress = lists
        return incoming, in_progress

    def follow_up_cases(self) -> list[str]:
        """The cases of the agency's open follow-ups (first page, earliest due first)."""
        return [case_id for case_id, _ref in case_links(self.get("/followups",
                                                                "GET /followups").text)]

    def browse_cases(self) -> list[str]:
        """The case list as people use it: a filter or a search, then a page or
        two on by the list's own "next" links (no further than its last page)."""
        first = self.get("/cases", "GET /cases")
        cases = case_links(first.text)
        roll = self.rng.random()
        if roll < 0.3 and cases:
            reference = quote(self.rng.choice(cases)[1])
            page = self.get(f"/cases?q={reference}", "GET /cases?q=")
        elif roll < 0.6:
            status = self.rng.choice(("open", "active", "monitoring", "closed"))
            page = self.get(f"/cases?status={status}", "GET /cases?status=")
        elif roll < 0.7:
            page = self.get("/cases?risk=high", "GET /cases?risk=")
        else:
            page = first
        for _ in range(self.rng.randint(0, 3)):
            following = next_link(page.text)
            if following is None:
                break
            page = self.get(following, "GET /cases?after=")
        return [case_id for case_id, _ref in case_links(page.text)] or \
            [case_id for case_id, _ref in cases]

    def open_case(self, case_id: str) -> list[StepForm]:
        """A case page, and the step forms it offers."""
        return step_forms(self.case_page(case_id))

    def case_page(self, case_id: str) -> str:
        """A case page's text."""
        return self.get(f"/cases/{case_id}", "GET /cases/[id]").text

    def home(self) -> None:
        """The home page (the agency's summary: what awaits it today)."""
        self.get("/", "GET /")

    def view_reports(self) -> None:
        """The statistics page, for the country, a region or a district; now and then a CSV."""
        page = self.get("/reports", "GET /reports")
        roll = self.rng.random()
        if roll < 0.4:
            regions = select_options(page.text, "region")
            if regions:
                self.get(f"/reports?region={self.rng.choice(regions)}", "GET /reports?region=")
        elif roll < 0.8:
            districts = select_options(page.text, "district")
            if districts:
                self.get(f"/reports?district={self.rng.choice(districts)}",
                         "GET /reports?district=")
        else:
            self.get("/reports/aggregate.csv", "GET /reports/aggregate.csv")

    # -- acting

    def answer_referral(self) -> str | None:
        """Answer (or carry on) one referral of the inbox; the outcome, or None
        when the inbox offers nothing to do."""
        incoming, in_progress = self.referral_inbox()
        candidates = incoming + in_progress
        self.rng.shuffle(candidates)
        for case_id in candidates[:3]:
            forms = [f for f in self.open_case(case_id)
                     if f.kind == "referral" and set(f.choices) & set(ANSWER_STEPS)]
            if forms:
                form = self.rng.choice(forms)
                return self.submit(form, self._referral_step(form))
        return None

    def _referral_step(self, form: StepForm) -> str:
        if "accept" in form.choices:
            return "accept" if self.rng.random() < 0.8 else "decline"
        if "start" in form.choices and self.rng.random() < 0.5:
            return "start"
        return "complete" if "complete" in form.choices else form.choices[0]

    def close_follow_up(self) -> str | None:
        """Mark one of the agency's open follow-ups done; the outcome, or None."""
        candidates = self.follow_up_cases()
        self.rng.shuffle(candidates)
        for case_id in candidates[:3]:
            forms = [f for f in self.open_case(case_id)
                     if f.kind == "follow_up" and "done" in f.choices]
            if forms:
                return self.submit(self.rng.choice(forms), "done")
        return None

    def correct_person(self, case_ids: list[str]) -> str | None:
        """Correct a person's details on one of ``case_ids``' pages (the patronymic,
        set to a unique note, so that the last accepted correction is known):
        the case page, a person's correction link, its form. The outcome, or
        None when none of the pages offers a correction."""
        candidates = list(case_ids)
        self.rng.shuffle(candidates)
        for case_id in candidates[:3]:
            links = correction_links(self.case_page(case_id))
            if links:
                forms = correction_forms(self.correction_page(self.rng.choice(links)))
                if forms:
                    return self.submit_correction(forms[0])
        return None

    def correction_page(self, link: str) -> str:
        """A case page opened at one person's correction form (a ``correction_links`` link)."""
        return self.get(link, "GET /cases/[id]?correct=").text

    def submit_correction(self, form: CorrectionForm) -> str:
        """Post a correction form as drawn, with a new patronymic; recorded in the ledger."""
        note = f"load-test {uuid.uuid4().hex[:16]}"
        save = self.ledger.begin(Save("person", form.object_id, form.version, "correct", note))
        data = {**dict(form.fields), "patronymic": note}
        return self._post(save, form.action, "POST /cases/people/[id]/correct", data)

    def submit(self, form: StepForm, choice: str) -> str:
        """Post one step form as its page showed it; records the save in the ledger."""
        note = f"load-test {uuid.uuid4().hex[:16]}" if choice in NEEDS_NOTE else None
        save = self.ledger.begin(Save(form.kind, form.object_id, form.version, choice, note))
        name = "POST /referrals/[id]/step" if form.kind == "referral" else \
            "POST /followups/[id]/close"
        # "confirmed": the page's in-place confirm step, opened and posted.
        data = {"csrf_token": form.csrf, "version": str(form.version), form.field: choice,
                "note": note or "", "confirmed": "1"}
        return self._post(save, form.action, name, data)

    def _post(self, save: Save, action: str, name: str, data: dict) -> str:
        """Post a save; its outcome (saved or stale), kept in the ledger."""
        try:
            reply = self.client.request(
                "POST", action, name=name, data=data,
                check=lambda r: expect_ok(r) or (
                    None if save_outcome(r) else f"save refused: {flashes(r.text)[:1]}"))
        except Exception:
            save.outcome = "failed"
            raise
        save.outcome = save_outcome(reply) or "failed"
        return save.outcome


#: ``together(first, second)`` runs two calls at the same time and returns both results.
Together = Callable[[Callable[[], str], Callable[[], str]], tuple[str, str]]


def conflict(first: Browser, second: Browser, together: Together) -> tuple[str, str] | None:
    """Two people of one agency save the same object from the same page version.

    Both open the case page of one of the agency's open follow-ups or awaited
    referrals, then submit at the same moment: exactly one save may succeed,
    the other must be refused as stale. Returns both outcomes (recorded in
    the ledger's ``conflicts``), or None when the agency has nothing open.
    """
    incoming, _in_progress = first.referral_inbox()
    targets = [("referral", case_id) for case_id in incoming[:2]] + \
        [("follow_up", case_id) for case_id in first.follow_up_cases()[:2]]
    first.rng.shuffle(targets)
    for kind, case_id in targets:
        mine = _actionable(first.open_case(case_id), kind)
        theirs = {f.object_id: f for f in _actionable(second.open_case(case_id), kind)}
        shared = [f for f in mine if f.object_id in theirs
                  and theirs[f.object_id].version == f.version]
        if not shared:
            continue
        form = first.rng.choice(shared)
        other = theirs[form.object_id]
        steps = ("accept", "decline") if kind == "referral" else ("done", "done")
        outcomes = together(partial(first.submit, form, steps[0]),
                            partial(second.submit, other, steps[1]))
        first.ledger.conflicts.append(outcomes)
        return outcomes
    return None


def _actionable(forms: list[StepForm], kind: str) -> list[StepForm]:
    wanted = "accept" if kind == "referral" else "done"
    return [f for f in forms if f.kind == kind and wanted in f.choices]


def conflict_resolved(outcomes: tuple[str, str]) -> bool:
    """Exactly one of two simultaneous saves went through, the other was refused as stale."""
    return sorted(outcomes) == [SAVED, STALE]

"""The simulated users, bound to Locust (run programmatically by ``bench.load.run``).

Staff work without pauses so that the two workers are kept busy: the mix's
throughput is the server's, not the users' reading speed. The analyst and
the pair that provokes conflicts pause between actions, so that reports and
deliberate conflicts stay a small, steady share of the traffic, as they are
in real use.

Each environment carries a :class:`Settings` as ``environment.load``.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import gevent
from locust import FastHttpUser, between, constant, task
from locust.contrib.fasthttp import FastHttpSession

from bench.load.scenario import (
    Browser,
    Check,
    Ledger,
    LedgerClosed,
    Reply,
    UnexpectedPage,
    conflict,
    expect_ok,
)

#: The baseline's request: a small static file served by the same app and workers.
BASELINE_PATH = "/static/favicon.svg"
#: A request slower than this counts as a failure (timeout).
TIMEOUT_SECONDS = 10.0


@dataclass
class Settings:
    """What the users need to know: accounts by role, their password, the ledger."""

    accounts: dict[str, list[str]]
    password: str
    ledger: Ledger = field(default_factory=Ledger)
    seed: int = 1
    #: Sign-ins done (or refused): measuring starts once every user has one.
    sessions: int = 0
    _cycles: dict = field(default_factory=dict)
    _rng: random.Random | None = None

    def next_account(self, role: str) -> str:
        """Hand out the role's accounts in turn."""
        if role not in self._cycles:
            self._cycles[role] = itertools.cycle(self.accounts[role])
        return next(self._cycles[role])

    def rng(self) -> random.Random:
        """A generator for one user, drawn from the run's seed."""
        if self._rng is None:
            self._rng = random.Random(self.seed)  # a load mix, not a secret  # nosec B311
        return random.Random(self._rng.getrandbits(64))  # nosec B311


class LocustClient:
    """:class:`bench.load.scenario.Client` over Locust's fast HTTP session."""

    def __init__(self, session: FastHttpSession):
        self.session = session

    def request(self, method: str, path: str, *, name: str, data: dict | None = None,
                check: Check | None = None) -> Reply:
        with self.session.request(method, path, name=name, data=data,
                                  headers={"Accept-Language": "en"},
                                  catch_response=True) as response:
            error = getattr(response, "error", None)
            reply = Reply(response.status_code or 0, response.text or "")
            problem = str(error) if error else (check or expect_ok)(reply)
            if problem:
                response.failure(problem)
            else:
                response.success()
        if problem:
            raise UnexpectedPage(problem)
        return reply


def _session(user: FastHttpUser) -> FastHttpSession:
    """Another browser (its own cookies) for ``user``, reporting to the same statistics."""
    return FastHttpSession(
        base_url=user.host, request_event=user.environment.events.request, user=user,
        network_timeout=user.network_timeout, connection_timeout=user.connection_timeout,
        max_redirects=user.max_redirects)


class Person(FastHttpUser):
    """A signed-in member of staff of one role."""

    abstract = True
    role = ""
    #: Browsers (signed-in sessions) one such user keeps.
    sessions = 1
    wait_time = constant(0)
    network_timeout = TIMEOUT_SECONDS
    connection_timeout = TIMEOUT_SECONDS

    def on_start(self) -> None:
        self.unsigned: list[tuple[Browser, str]] = []
        self.browser = self.open_browser(self.client)

    def open_browser(self, session: FastHttpSession) -> Browser:
        """A browser on ``session``, signed in as the role's next account."""
        settings: Settings = self.environment.load
        browser = Browser(LocustClient(session), settings.ledger, settings.rng())
        account = settings.next_account(self.role)
        if not _attempt(browser.sign_in, account, settings.password):
            self.unsigned.append((browser, account))
        settings.sessions += 1
        return browser

    def act(self, action, *args) -> None:
        """Take one step; until every browser is signed in, try that again instead
        (a failed sign-in was counted; a person waits a moment and retries)."""
        if not self.unsigned:
            _attempt(action, *args)
            return
        gevent.sleep(1)
        browser, account = self.unsigned.pop(0)
        if not _attempt(browser.sign_in, account, self.environment.load.password):
            self.unsigned.append((browser, account))

    def open_one(self, case_ids: list[int]) -> None:
        if case_ids:
            self.browser.open_case(self.browser.rng.choice(case_ids[:25]))


def _attempt(action, *args) -> bool:
    """Run one step of a user; a failed request was already counted as a failure."""
    try:
        action(*args)
    except (UnexpectedPage, LedgerClosed):
        return False
    return True


class Coordinator(Person):
    """The district committee: the home page, the case list, case pages, the
    inboxes, corrections of a person's details."""

    role = "coordinator"

    @task(2)
    def home(self):
        self.act(self.browser.home)

    @task(4)
    def cases(self):
        self.act(lambda: self.open_one(self.browser.browse_cases()))

    @task(2)
    def referrals(self):
        self.act(lambda: self.open_one(self.browser.referral_inbox()[0]))

    @task(1)
    def follow_ups(self):
        self.act(self.browser.close_follow_up)

    @task(1)
    def correct(self):
        self.act(lambda: self.browser.correct_person(self.browser.browse_cases()))


class CaseWorker(Person):
    """A police officer or a social worker: inboxes first, answering, closing."""

    abstract = True

    @task(2)
    def home(self):
        self.act(self.browser.home)

    @task(3)
    def referrals(self):
        self.act(lambda: self.open_one(sum(self.browser.referral_inbox(), [])))

    @task(2)
    def follow_ups(self):
        self.act(lambda: self.open_one(self.browser.follow_up_cases()))

    @task(2)
    def answer(self):
        self.act(self.browser.answer_referral)

    @task(2)
    def close(self):
        self.act(self.browser.close_follow_up)

    @task(1)
    def cases(self):
        self.act(self.browser.browse_cases)


class PoliceOfficer(CaseWorker):
    role = "police"


class SocialWorker(CaseWorker):
    role = "social"


class Analyst(Person):
    """The ministry's analyst: statistics only, reading each report for a while."""

    role = "analyst"
    wait_time = between(3, 6)

    @task
    def reports(self):
        self.act(self.browser.view_reports)


class ConflictPair(Person):
    """Two sessions of one agency that save the same object at the same moment
    (the ``pair`` accounts: two people of one agency, or one person in two tabs)."""

    role = "pair"
    sessions = 2
    wait_time = between(1, 2)

    def on_start(self) -> None:
        super().on_start()
        self.other = self.open_browser(_session(self))

    @task
    def collide(self):
        self.act(conflict, self.browser, self.other, _together)


def _together(first, second) -> tuple[str, str]:
    """Start both saves at once; both results (a refused request raises, as alone)."""
    greenlets = [gevent.spawn(_outcome, first), gevent.spawn(_outcome, second)]
    gevent.joinall(greenlets)
    results = [greenlet.value for greenlet in greenlets]
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results[0], results[1]


def _outcome(save):
    """The save's outcome, or the exception it raised (gevent would print it)."""
    try:
        return save()
    except (UnexpectedPage, LedgerClosed) as error:
        return error


class Baseline(FastHttpUser):
    """The trivial route, as fast as the server answers it."""

    wait_time = constant(0)
    network_timeout = TIMEOUT_SECONDS
    connection_timeout = TIMEOUT_SECONDS

    @task
    def static_file(self):
        _attempt(lambda: LocustClient(self.client).request("GET", BASELINE_PATH,
                                                           name="GET baseline"))

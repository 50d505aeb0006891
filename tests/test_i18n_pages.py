"""No English interface text leaks into Kyrgyz or Russian pages.

Every demo user signs in and, in ky and in ru, walks every page reachable by
GET links from the home page (one page per endpoint: the section pages, a
case, a meeting, the administration pages, the profile, the statistics), an
error page and the login page; then posts each form found on those pages
empty and with nonsense values, so that validation messages show. The
visible text (no attributes, no scripts) must contain no English message of
the catalog whose translation differs, no WTForms built-in message in
English, and no run of English words that is in no catalog at all.
"""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import wtforms
from babel.messages.pofile import read_po

from coordination import PROJECT_ROOT
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.followups.models import FollowUp
from tests.helpers import login

CATALOGS = PROJECT_ROOT / "coordination" / "translations"
WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"

#: Links the crawl does not follow: they change state, download files or switch language.
SKIP = re.compile(r"^/(static/|logout)|\.(pdf|csv|xlsx)$|/healthz$")


class _VisibleText(HTMLParser):
    """The text nodes a reader sees, plus the page's links and POST forms."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "visible": 0})
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            form = self.forms[-1]
            kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
            if kind in ("submit", "button"):
                return
            if kind == "hidden":
                form["fields"][attrs["name"]] = attrs.get("value") or ""
            else:
                form["fields"].setdefault(attrs["name"], None)
                form["visible"] += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            text = " ".join(data.split())
            if text:
                self.texts.append(text)


def _parse(html: str) -> _VisibleText:
    parser = _VisibleText()
    parser.feed(html)
    return parser


def _ids(catalog) -> list[tuple[str, list[str]]]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = list(message.string) if isinstance(message.string, tuple | list) else [
            message.string]
        found.append((ids, strings))
    return found


def _pattern(msgid: str) -> re.Pattern:
    """A message as a regular expression: placeholders match anything."""
    parts = re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", msgid)
    return re.compile(r"\s*" + r".+?".join(re.escape(" ".join(p.split())) for p in parts)
                      + r"[\s.:]*")


def _english_messages(lang: str) -> tuple[set[str], list[re.Pattern], set[str]]:
    """English ids that a ``lang`` page must not show: exact texts, patterns of
    messages with placeholders, and every English id known (for the run check)."""
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        ours = _ids(read_po(handle))
    with open(WTFORMS_POT, "rb") as handle:
        theirs = [(ids, []) for ids, _ in _ids(read_po(handle))]
    exact, patterns, known = set(), [], set()
    for ids, strings in ours + theirs:
        for msgid in ids:
            text = " ".join(msgid.split())
            known.add(text)
            if strings and all(s == msgid for s in strings):
                continue  # the same in both languages (a code, a number format)
            if re.search(r"%\(|%[sd]|\{", text):
                if len(re.sub(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", "", text)) > 6:
                    patterns.append(_pattern(text))
            else:
                exact.add(text)
    return exact, patterns, known


#: Two English words in a row that no catalog knows: an unextracted string.
_ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+ [a-z]{2,}\b")
_DATA = re.compile(r"DV-\d{4}-\d+|[\w.+-]+@[\w.-]+|https?://\S+")


def _data_texts() -> list[str]:
    """Texts from the database shown as they were entered: people's and
    agencies' names, follow-up actions (written in the language of whoever
    recorded them; the demo's are English)."""
    texts = []
    for column in (User.full_name, Agency.name, FollowUp.action):
        texts += [t for t in db.session.scalars(sa.select(column).distinct()) if t]
    return sorted(texts, key=len, reverse=True)


def _leaks(texts, exact, patterns, data=()) -> list[str]:
    found = []
    for text in texts:
        for value in data:
            if value in text:
                text = text.replace(value, "").strip()
        if not text:
            continue
        bare = text.rstrip(":*. ").strip()
        if text in exact or bare in exact or any(p.fullmatch(text) for p in patterns):
            found.append(text)
        elif _ENGLISH_RUN.search(_DATA.sub("", text)):
            found.append(text)
    return found


def _crawl(client, lang: str, exact, patterns, data) -> dict[str, list[str]]:
    """Every page reachable from the home page, one per endpoint; then every
    POST form on them, sent empty and with nonsense values."""
    adapter = client.application.url_map.bind("localhost")
    leaks: dict[str, list[str]] = {}
    seen_endpoints: set[str] = set()
    forms: list[tuple[str, dict]] = []
    queue = deque(["/", "/no-such-page"])
    visited: set[str] = set()

    def check(url, html):
        page = _parse(html)
        found = _leaks(page.texts, exact, patterns, data)
        if found:
            leaks[url] = sorted(set(found))
        return page

    while queue:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url, follow_redirects=True)
        if not response.content_type.startswith("text/html"):
            continue
        page = check(url, response.text)
        forms.extend((url, form) for form in page.forms if form["visible"])
        for href in page.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or "lang=" in parts.query:
                continue
            if SKIP.search(parts.path):
                continue
            try:
                endpoint, _args = adapter.match(parts.path, method="GET")
            except Exception:
                continue
            if endpoint not in seen_endpoints:
                seen_endpoints.add(endpoint)
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))

    for url, form in forms:
        action = form["action"] or url
        if SKIP.search(urlsplit(action).path):
            continue
        for filler in ("", "zz-not-valid"):
            posted = {name: (value if value is not None else filler)
                      for name, value in form["fields"].items()}
            response = client.post(action, data=posted, follow_redirects=True)
            if response.content_type.startswith("text/html"):
                check(f"POST {action} ({filler or 'empty'}) from {url}", response.text)
    assert seen_endpoints, "the crawl found no links"
    return leaks


@pytest.fixture(scope="module")
def english():
    return {lang: _english_messages(lang) for lang in ("ky", "ru")}


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("username", demo_usernames())
def test_no_english_on_any_page(client, english, username, lang):
    exact, patterns, _known = english[lang]
    client.get(f"/login?lang={lang}")
    assert login(client, username).status_code == 302
    leaks = _crawl(client, lang, exact, patterns, _data_texts())
    assert leaks == {}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_english_on_the_login_page(client, english, lang):
    exact, patterns, _known = english[lang]
    page = client.get(f"/login?lang={lang}")
    assert _leaks(_parse(page.text).texts, exact, patterns) == []
    wrong = client.post("/login", data={"username": "", "password": ""})
    assert _leaks(_parse(wrong.text).texts, exact, patterns) == []


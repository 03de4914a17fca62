"""`pipeline serve` and `pipeline users`: a real uvicorn on 127.0.0.1, real PO files, real locks.

Security guarantees (docs/security.md, "Review in the browser") each have a test here.
"""

from __future__ import annotations

import io
import re
import socket
import stat
import threading
from pathlib import Path

import pytest
from helpers import run_cli
from serve_helpers import (
    PASSWORD,
    SCRIPT_SOURCE,
    STALE_SOURCE,
    Client,
    entries_of,
    key_of,
    po,
    serving,
    write_project,
)

from pipeline.catalog import state_of
from pipeline.config import Config
from pipeline.files import project_lock
from pipeline.model import State
from pipeline.serve.security import CSP
from pipeline.serve.users import add_user, check_password, load_users, users_path

pytestmark = pytest.mark.loopback

MACHINE_SOURCE = "We publish below an interview with KRAS."
WELCOME = "Welcome to the review."


@pytest.fixture
def config(tmp_path: Path) -> Config:
    config = write_project(tmp_path / "project")
    add_user(config, "jana", ["cs"], PASSWORD)
    add_user(config, "petr", ["cs"], PASSWORD)
    add_user(config, "olena", ["uk"], PASSWORD)
    return config


def logged_in(port: int, name: str) -> Client:
    client = Client(port)
    assert client.login(name).status == 303
    return client


def entry_form(client: Client, language: str, msgid: str) -> tuple[str, dict[str, str]]:
    path = f"/e/{language}/doc/{key_of(msgid)}"
    page = client.get(path)
    assert page.status == 200
    return path, {"csrf": page.csrf(), "version": page.version(), "state": "review"}


# --- users ----------------------------------------------------------------------------------------


def test_users_add_list_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_project(tmp_path / "project")
    root = str(config.root)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long secret\n"))
    assert run_cli(config.root, "users", "add", "jana", "--lang", "cs", "--password-stdin") == 0
    path = users_path(config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "a long secret" not in path.read_text(encoding="utf-8")
    assert (config.state_dir / ".gitignore").read_text(encoding="utf-8") == "*\n"
    user = load_users(config)["jana"]
    assert user.languages == ("cs",)
    assert check_password(user, "a long secret")
    assert not check_password(user, "a long secreT")
    monkeypatch.setattr("sys.stdin", io.StringIO("another secret\n"))
    assert run_cli(config.root, "users", "add", "jana", "--lang", "uk", "--password-stdin") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("another secret\n"))
    assert run_cli(config.root, "users", "add", "bad name", "--lang", "cs", "--password-stdin") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("another secret\n"))
    assert run_cli(config.root, "users", "add", "ivan", "--lang", "de", "--password-stdin") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run_cli(config.root, "users", "add", "ivan", "--lang", "ru", "--password-stdin") == 2
    assert list(load_users(config)) == ["jana"]
    assert run_cli(Path(root), "users", "remove", "jana") == 0
    assert load_users(config) == {}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run_cli(Path(root), "users", "remove", "jana") == 2


def test_users_list_prints_names_and_languages(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(config.root, "users", "list") == 0
    assert capsys.readouterr().out.splitlines() == ["jana: cs", "olena: uk", "petr: cs"]


def test_serve_refuses_a_port_in_use(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_cli(config.root, "serve", "--port", str(port)) == 8
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and "pipeline: error:" in errors[0], errors


def test_pipeline_serve_serves_until_interrupted(config: Config) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--port", str(port)],
        cwd=config.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = Client(port, timeout=2).get("/login").status
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "Traceback" not in err


# --- sessions, CSRF, permissions ------------------------------------------------------------------


def test_every_response_carries_the_security_headers(config: Config) -> None:
    with serving(config) as server:
        anonymous = Client(server.port)
        jana = logged_in(server.port, "jana")
        replies = [
            anonymous.get("/login"),
            anonymous.get("/"),
            anonymous.get("/static/review.js"),
            anonymous.get("/no/such/page"),
            anonymous.post("/e/cs/doc/x", {"action": "approve"}),
            jana.get("/"),
            jana.get("/d/cs/doc"),
            jana.get(f"/e/cs/doc/{key_of(MACHINE_SOURCE)}"),
        ]
        preview = jana.get("/preview/cs/doc")
    for reply in replies:
        assert reply.headers["content-security-policy"] == CSP
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "same-origin"
    assert "sandbox" in preview.headers["content-security-policy"].split(";")[0]
    assert "script-src" not in preview.headers["content-security-policy"]


def test_session_cookie_is_httponly_samesite_and_secure_behind_tls(config: Config) -> None:
    with serving(config) as server:
        reply = Client(server.port).login("jana")
        assert reply.status == 303
        cookie = reply.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
        # X-Forwarded-Proto is ignored unless the proxy is trusted (--proxy-headers) ...
        forwarded = Client(server.port).request(
            "POST",
            "/login",
            {"name": "jana", "password": PASSWORD},
            {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{server.port}"},
            origin=None,
        )
        assert forwarded.status == 403  # the https Origin is not this plain-HTTP site
    with serving(config, proxy_headers=True) as server:
        proxied = Client(server.port).request(
            "POST",
            "/login",
            {"name": "jana", "password": PASSWORD},
            {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{server.port}"},
            origin=None,
        )
    assert proxied.status == 303
    assert "; secure" in proxied.headers["set-cookie"].lower()


def test_without_a_session_nothing_changes(config: Config) -> None:
    before = po(config, "cs").read_bytes()
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", MACHINE_SOURCE)
        anonymous = Client(server.port)
        assert anonymous.get("/").status == 303
        assert anonymous.get(path).headers["location"] == "/login"
        assert anonymous.get("/api" + path).status == 403
        refused = anonymous.post(path, {**form, "action": "approve"})
        forged = Client(server.port, cookies={"pipeline_session": "not-a-session"})
        also_refused = forged.post(path, {**form, "action": "edit", "text": "x"})
    assert refused.status == 403 and "log in" in refused.text
    assert also_refused.status == 403
    assert po(config, "cs").read_bytes() == before


def test_a_uk_reviewer_cannot_save_ru(config: Config) -> None:
    before = {language: po(config, language).read_bytes() for language in ("cs", "uk", "ru")}
    with serving(config) as server:
        olena = logged_in(server.port, "olena")
        path = f"/e/ru/doc/{key_of(MACHINE_SOURCE)}"
        page = olena.get(path)
        assert 'id="approve"' not in page.text  # read-only page: no form
        version = olena.get("/api" + path).json()["version"]
        form = {"csrf": page.csrf(), "version": version, "state": "review"}
        refused = olena.post(path, {**form, "action": "approve"})
        refused_edit = olena.post(path, {**form, "action": "edit", "text": "взлом"})
        uk_path, uk_form = entry_form(olena, "uk", MACHINE_SOURCE)
        allowed = olena.post(uk_path, {**uk_form, "action": "approve"})
    assert refused.status == 403 and refused_edit.status == 403
    assert "may not change ru" in refused.text
    assert po(config, "ru").read_bytes() == before["ru"]
    assert po(config, "cs").read_bytes() == before["cs"]
    assert allowed.status == 303
    assert po(config, "uk").read_bytes() != before["uk"]


def test_a_cross_site_post_without_the_csrf_token_is_refused(config: Config) -> None:
    before = po(config, "cs").read_bytes()
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", MACHINE_SOURCE)
        no_token = {k: v for k, v in form.items() if k != "csrf"}
        replies = [
            # what a page on another site can make a browser send (cookie included)
            jana.post(path, {**no_token, "action": "approve"}, origin="https://evil.example"),
            # ... even with a stolen token, from another origin
            jana.post(path, {**form, "action": "approve"}, origin="https://evil.example"),
            # same origin but no token, or a wrong one
            jana.post(path, {**no_token, "action": "approve"}),
            jana.post(path, {**form, "csrf": "guess", "action": "approve"}),
            # neither Origin nor Referer
            jana.post(path, {**form, "action": "approve"}, origin=None),
            # another user's token
            jana.post(
                path,
                {
                    **form,
                    "csrf": entry_form(logged_in(server.port, "petr"), "cs", WELCOME)[1]["csrf"],
                    "action": "approve",
                },
            ),
        ]
        accepted = jana.post(path, {**form, "action": "approve"})
    assert [reply.status for reply in replies] == [403] * len(replies)
    assert accepted.status == 303
    assert po(config, "cs").read_bytes() != before


def test_logins_are_rate_limited(config: Config) -> None:
    with serving(config) as server:
        client = Client(server.port)
        wrong = [client.login("jana", "wrong password").status for _ in range(5)]
        blocked = client.login("jana")
        other_user = Client(server.port).login("petr")
    assert wrong == [401] * 5
    assert blocked.status == 429 and "too many" in blocked.text
    assert "set-cookie" not in blocked.headers
    assert other_user.status == 429  # the same address is limited too


def test_logout_ends_the_session(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        page = jana.get("/")
        token = jana.cookies["pipeline_session"]
        assert jana.post("/logout", {"csrf": page.csrf()}).status == 303
        again = Client(server.port, cookies={"pipeline_session": token}).get("/")
    assert again.status == 303 and again.headers["location"] == "/login"


# --- saving ---------------------------------------------------------------------------------------


def test_approve_records_the_reviewer_and_changes_only_that_entry(config: Config) -> None:
    before = entries_of(po(config, "cs"))
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", MACHINE_SOURCE)
        reply = jana.post(path, {**form, "action": "approve"})
        following = jana.get(reply.headers["location"])
    assert reply.status == 303
    assert key_of("The group has 25 members.") in reply.headers["location"]
    assert "approved" in following.text
    after = entries_of(po(config, "cs"))
    changed = [key for key in before if before[key] != after[key]]
    assert changed == [(None, MACHINE_SOURCE)]
    entry = after[(None, MACHINE_SOURCE)]
    assert state_of(entry) is State.REVIEWED
    assert re.fullmatch(r"reviewed-by: jana \d{4}-\d\d-\d\d", entry.translator_comments[-1])
    assert entry.msgstr == before[(None, MACHINE_SOURCE)].msgstr
    from pipeline.catalog import read_catalog

    assert read_catalog(po(config, "cs")).header["Last-Translator"] == "jana"


def test_edit_saves_the_text_and_keeps_it_to_review(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", WELCOME)
        reply = jana.post(path, {**form, "action": "edit", "text": "Vítejte\r\nu revize!"})
        page = jana.get(reply.headers["location"])
    assert reply.status == 303 and "saved; press a to approve" in page.text
    entry = entries_of(po(config, "cs"))[(None, WELCOME)]
    assert entry.msgstr == "Vítejte\nu revize!"
    assert state_of(entry) is State.EDITED
    assert not any(c.startswith("reviewed-by") for c in entry.translator_comments)


def test_the_second_of_two_saves_of_one_entry_is_refused_with_the_current_text(
    config: Config,
) -> None:
    with serving(config) as server:
        jana, petr = logged_in(server.port, "jana"), logged_in(server.port, "petr")
        path, jana_form = entry_form(jana, "cs", WELCOME)
        _, petr_form = entry_form(petr, "cs", WELCOME)
        first = jana.post(path, {**jana_form, "action": "edit", "text": "Janin text."})
        second = petr.post(path, {**petr_form, "action": "edit", "text": "Petrův text."})
        second_json = petr.post(
            path,
            {**petr_form, "action": "approve"},
            headers={"Accept": "application/json"},
        )
    assert first.status == 303
    assert second.status == 409
    assert "not saved" in second.text and "Janin text." in second.text
    assert second_json.status == 409 and second_json.json()["current"]["text"] == "Janin text."
    assert entries_of(po(config, "cs"))[(None, WELCOME)].msgstr == "Janin text."


def test_a_save_while_a_build_holds_the_lock_says_try_again(config: Config) -> None:
    before = po(config, "cs").read_bytes()
    with serving(config, lock_wait=0.3) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", WELCOME)
        with project_lock(config.state_dir):
            busy = jana.post(path, {**form, "action": "edit", "text": "Můj pečlivý text."})
            assert po(config, "cs").read_bytes() == before
        retried = jana.post(path, {**form, "action": "edit", "text": "Můj pečlivý text."})
    assert busy.status == 503 and "try again" in busy.text
    assert busy.headers["retry-after"] == "2"
    assert "Můj pečlivý text." in busy.text  # the reviewer's text is still in the box
    assert retried.status == 303
    assert entries_of(po(config, "cs"))[(None, WELCOME)].msgstr == "Můj pečlivý text."


def test_saves_wait_briefly_for_the_lock(config: Config) -> None:
    with serving(config, lock_wait=5.0) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", WELCOME)
        released = threading.Event()

        def hold() -> None:
            with project_lock(config.state_dir):
                released.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        timer = threading.Timer(0.3, released.set)
        timer.start()
        reply = jana.post(path, {**form, "action": "edit", "text": "Po čekání."})
        holder.join(10)
    assert reply.status == 303
    assert entries_of(po(config, "cs"))[(None, WELCOME)].msgstr == "Po čekání."


# --- pages ----------------------------------------------------------------------------------------


def test_a_script_in_a_source_or_translation_is_shown_as_text(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        page = jana.get(f"/e/cs/doc/{key_of(SCRIPT_SOURCE)}")
        listing = jana.get("/d/cs/doc?state=all")
    for reply in (page, listing):
        assert reply.status == 200
        assert "<script>window.pwned" not in reply.text
        assert "<img src=x" not in reply.text
        assert "&lt;script&gt;window.pwned=1" in reply.text
        assert re.findall(r"<script[^>]*>", reply.text) == [
            '<script src="/static/review.js" defer>'
        ]


def test_entry_page_shows_context_diff_and_keys(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        stale = jana.get(f"/e/cs/doc/{key_of(STALE_SOURCE)}").text
        machine = jana.get(f"/e/cs/doc/{key_of(MACHINE_SOURCE)}").text
    assert "<del>20 </del><ins>25 </ins>" in stale or "<del>20</del><ins>25</ins>" in stale
    assert 'class="current">We publish below an interview with KRAS.</span>' in machine
    assert "Níže zveřejňujeme rozhovor s KRAS." in machine
    for key in ("<kbd>a</kbd>", "<kbd>e</kbd>", "<kbd>s</kbd>", "<kbd>b</kbd>"):
        assert key in machine


def test_overview_counts_states_and_filters_work(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        overview = jana.get("/").text
        stale_only = jana.get("/d/cs/doc?state=stale").text
        bad_filter = jana.get("/d/cs/doc?state=nonsense")
    rows = re.findall(r'<tr class="(?:mine|theirs)">(.*?)</tr>', overview, re.S)
    assert len(rows) == 3
    cs = next(row for row in rows if "<td>cs</td>" in row)
    numbers = re.findall(r'<td class="num[^"]*">([^<]*)</td>', cs)
    # to review, untranslated, machine, edited, stale, reviewed, share reviewed
    assert numbers[:6] == ["4", "1", "3", "0", "1", "0"]
    assert STALE_SOURCE in stale_only and MACHINE_SOURCE not in stale_only
    assert bad_filter.status == 404


def test_a_broken_catalog_is_one_error_and_the_rest_works(config: Config) -> None:
    broken = po(config, "ru")
    text = broken.read_text(encoding="utf-8").replace(
        'msgstr "Vítejte u revize."', 'msgstr "Vítejte'
    )
    broken.write_text(text, encoding="utf-8")
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        overview = jana.get("/")
        document = jana.get("/d/ru/doc")
        entry = jana.get(f"/e/ru/doc/{key_of(WELCOME)}")
        cs = jana.get("/d/cs/doc")
        olena = logged_in(server.port, "olena")
        save = olena.post(
            f"/e/ru/doc/{key_of(WELCOME)}",
            {"csrf": olena.get("/").csrf(), "action": "edit", "version": "x"},
        )
    assert overview.status == 200
    errors = re.findall(r'class="error catalog-error"[^>]*>([^<]*)<', overview.text)
    assert len(errors) == 1 and errors[0].startswith("locales/ru/doc.po:")
    assert document.status == 200 and "locales/ru/doc.po:" in document.text
    assert "locales/ru/doc.po:" in entry.text
    assert cs.status == 200 and MACHINE_SOURCE in cs.text
    assert save.status == 403  # olena may not change ru at all
    assert broken.read_text(encoding="utf-8") == text


def test_preview_is_the_html_edition_built_now(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        path, form = entry_form(jana, "cs", WELCOME)
        before = jana.get("/preview/cs/doc").text
        jana.post(path, {**form, "action": "approve", "text": "Vítejte v náhledu."})
        after = jana.get("/preview/cs/doc").text
    assert "Vítejte v náhledu." not in before
    assert "Vítejte v náhledu." in after
    assert "<html" in after.lower()


def test_entry_page_shows_confidence_and_memory_suggestions(config: Config) -> None:
    from pipeline.catalog import save_catalog
    from pipeline.engines import EngineOutput
    from pipeline.layout import translation_cache_path
    from pipeline.model import Catalog, Entry
    from pipeline.mt_cache import CacheKey, TranslationCache
    from pipeline.review.display import confidence_text

    machine_text = entries_of(po(config, "cs"))[(None, MACHINE_SOURCE)].msgstr
    with TranslationCache(translation_cache_path(config)) as cache:
        key = CacheKey("translate-en_cs", "1.9", "beam=4")
        cache.put_many(key, {MACHINE_SOURCE: EngineOutput(machine_text, score=-0.37)})
    similar = "We publish below an interview with the KRAS group."
    reviewed = "Níže zveřejňujeme rozhovor se skupinou KRAS."
    header = {"Language": "cs", "Content-Type": "text/plain; charset=UTF-8"}
    other = Catalog(header, [Entry(similar, msgstr=reviewed)])
    save_catalog(other, config.locales_dir / "cs" / "other.po")
    with serving(config) as server:
        page = logged_in(server.port, "jana").get(f"/e/cs/doc/{key_of(MACHINE_SOURCE)}").text
    assert confidence_text(-0.37) in page
    suggestions = page.split("Translation memory", 1)[1].split("</table>", 1)[0]
    assert similar in suggestions and reviewed in suggestions and "other" in suggestions


def test_a_damaged_users_file_is_one_line_on_the_page(config: Config) -> None:
    with serving(config) as server:
        jana = logged_in(server.port, "jana")
        users_path(config).write_text("{not json", encoding="utf-8")
        page = jana.get("/")
        login = Client(server.port).login("jana")
    for reply in (page, login):
        assert reply.status == 500
        assert ".pipeline/private/users.json: damaged users file" in reply.text
        assert "Traceback" not in reply.text


def test_removing_a_user_or_changing_the_password_ends_their_sessions(config: Config) -> None:
    from pipeline.serve.users import remove_user

    with serving(config) as server:
        jana, petr = logged_in(server.port, "jana"), logged_in(server.port, "petr")
        assert jana.get("/").status == 200 and petr.get("/").status == 200
        remove_user(config, "jana")
        add_user(config, "petr", ["cs"], "a new password", replace=True)
        jana_after, petr_after = jana.get("/"), petr.get("/")
    assert jana_after.status == 303 and petr_after.status == 303

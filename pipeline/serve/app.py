"""The Starlette application of `pipeline serve`: routes, login, and the checks on every request.

Every response carries the Content-Security-Policy and the other security headers
(`SecurityHeaders`); every POST must come from our own origin and, once logged in, carry the
session's CSRF token; a save needs a session whose user was given the catalog's language.
Blocking work (PO files, scrypt) runs in Starlette's thread pool.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..config import Config
from ..errors import LockError, PipelineError
from ..layout import po_path
from ..model import Entry
from ..review.catalogs import document_names
from . import pages
from .saving import (
    ACTIONS,
    NothingToApprove,
    Save,
    SaveConflict,
    entry_key,
    entry_version,
    find_by_key,
    save_entry,
)
from .security import (
    CSP,
    HEADERS,
    PREVIEW_CSP,
    SESSION_COOKIE,
    SESSION_SECONDS,
    RateLimit,
    Session,
    SessionStore,
    csrf_ok,
    same_origin,
)
from .users import DUMMY, User, check_password, load_users

HERE = Path(__file__).parent
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGI = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]
BUSY = "a build is writing the catalogs right now; nothing was saved, try again in a moment"


class SecurityHeaders:
    """ASGI middleware: the CSP (unless the route set its own) and the other headers, always."""

    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CSP.encode()))
                for name, value in HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class Site:
    """The running site: the project, its sessions and login limits, and the templates."""

    config: Config
    lock_wait: float = 2.0
    # Reviewers of one server take turns here, so only a build's lock (`lock_wait`) makes a save
    # answer "try again"; waiting behind another reviewer's save is bounded by QUEUE_WAIT.
    saves: threading.Lock = field(default_factory=threading.Lock)
    sessions: SessionStore = field(default_factory=SessionStore)
    limits: RateLimit = field(default_factory=RateLimit)
    templates: Environment = field(
        default_factory=lambda: Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
    )

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status)

    def user_of(self, request: Request) -> tuple[Session | None, User | None]:
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        if session is None:
            return None, None
        user = load_users(self.config).get(session.user)
        if user is None or user.digest != session.stamp:  # removed, or a new password, since
            self.sessions.end_user(session.user)
            return None, None
        return session, user

    def known(self, language: str, document: str) -> bool:
        return language in self.config.target_languages and document in document_names(
            self.config, [language]
        )


def _origin_ok(request: Request) -> bool:
    host = request.headers.get("host", "")
    return same_origin(
        request.headers.get("origin"), request.headers.get("referer"), request.url.scheme, host
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _entry_url(language: str, document: str, key: str, state: str, done: str = "") -> str:
    query = {"state": state, **({"done": done} if done else {})}
    return f"/e/{quote(language)}/{quote(document)}/{quote(key)}?{urlencode(query)}"


QUEUE_WAIT = 30.0
"""Seconds a save waits behind other reviewers' saves in this server before "try again"."""


def _save_in_turn(site: Site, save: Save) -> Entry:
    """`save_entry` after the saves queued before it in this server (one at a time)."""
    if not site.saves.acquire(timeout=QUEUE_WAIT):
        raise LockError("other saves are still being written", path=save.document)
    try:
        return save_entry(site.config, save, lock_wait=site.lock_wait)
    finally:
        site.saves.release()


def create_app(config: Config, *, lock_wait: float = 2.0) -> Starlette:
    """The ASGI application for one project (uvicorn serves it; tests may too)."""
    site = Site(config, lock_wait)

    def base(request: Request, session: Session | None, user: User | None) -> dict[str, Any]:
        return {"user": user, "csrf": session.csrf if session else "", "project": config.root.name}

    def refuse(
        request: Request,
        status: int,
        message: str,
        session: Session | None = None,
        user: User | None = None,
    ) -> Response:
        if _wants_json(request):
            return JSONResponse({"ok": False, "message": message}, status_code=status)
        return site.render("error.html", status, message=message, **base(request, session, user))

    async def login_page(request: Request) -> Response:
        return site.render("login.html", message="", name="", **base(request, None, None))

    async def login(request: Request) -> Response:
        if not _origin_ok(request):
            return refuse(request, 403, "refused: the form did not come from this site")
        form = await request.form()
        name = str(form.get("name", ""))[:100]
        password = str(form.get("password", ""))[:1000]
        address = request.client.host if request.client else "?"
        if site.limits.blocked(address, name):
            busy = site.render(
                "login.html",
                429,
                message="too many failed logins; wait a minute",
                name=name,
                **base(request, None, None),
            )
            busy.headers["Retry-After"] = "60"
            return busy
        users = await run_in_threadpool(load_users, config)
        user = users.get(name)
        good = await run_in_threadpool(check_password, user or DUMMY, password)
        if user is None or not good:
            site.limits.failed(address, name)
            return site.render(
                "login.html",
                401,
                message="wrong name or password",
                name=name,
                **base(request, None, None),
            )
        token = site.sessions.create(user.name, user.digest)
        response: Response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_SECONDS,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(request: Request) -> Response:
        session, _ = site.user_of(request)
        form = await request.form()
        if (
            session is not None
            and _origin_ok(request)
            and csrf_ok(session, str(form.get("csrf", "")))
        ):
            site.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def home(request: Request) -> Response:
        session, user = site.user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        rows = await run_in_threadpool(pages.overview, config, user.languages)
        return site.render("overview.html", rows=rows, **base(request, session, user))

    async def document_page(request: Request) -> Response:
        session, user = site.user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        language, document = request.path_params["language"], request.path_params["document"]
        state = request.query_params.get("state", "review")
        if not site.known(language, document) or state not in pages.FILTERS:
            return refuse(request, 404, "no such document or filter", session, user)
        path = config.relative(po_path(config, language, document))
        try:
            catalog = await run_in_threadpool(pages.load_catalog, config, language, document)
            rows, error = pages.entry_rows(catalog, state), ""
        except PipelineError as failure:
            rows, error = [], failure.one_line()
        return site.render(
            "document.html",
            language=language,
            document=document,
            path=path,
            rows=rows,
            error=error,
            state=state,
            filters=pages.FILTERS,
            may_edit=user.may_edit(language),
            **base(request, session, user),
        )

    def entry_response(
        request: Request,
        session: Session,
        user: User,
        language: str,
        document: str,
        key: str,
        state: str,
        *,
        status: int = 200,
        notice: str = "",
        text: str | None = None,
    ) -> Response:
        path = config.relative(po_path(config, language, document))
        try:
            catalog = pages.load_catalog(config, language, document)
        except PipelineError as failure:
            return refuse(
                request, 200 if status == 200 else status, failure.one_line(), session, user
            )
        entry = find_by_key(catalog, key)
        if entry is None:
            return refuse(request, 404, "this entry is no longer in the catalog", session, user)
        extras = pages.gather_extras(config, language, document, catalog, entry)
        page = pages.entry_page(language, document, path, catalog, entry, state, extras)
        return site.render(
            "entry.html",
            status,
            page=page,
            state=state,
            notice=notice,
            text=page.translation if text is None else text,
            may_edit=user.may_edit(language),
            **base(request, session, user),
        )

    async def entry_get(request: Request) -> Response:
        session, user = site.user_of(request)
        if session is None or user is None:
            return RedirectResponse("/login", status_code=303)
        language, document = request.path_params["language"], request.path_params["document"]
        state = request.query_params.get("state", "review")
        if not site.known(language, document) or state not in pages.FILTERS:
            return refuse(request, 404, "no such document or filter", session, user)
        notice = {"saved": "saved; press a to approve", "approved": "approved"}.get(
            request.query_params.get("done", ""), ""
        )
        return await run_in_threadpool(
            entry_response,
            request,
            session,
            user,
            language,
            document,
            request.path_params["key"],
            state,
            notice=notice,
        )

    async def entry_json(request: Request) -> Response:
        _, user = site.user_of(request)
        if user is None:
            return JSONResponse({"ok": False, "message": "log in first"}, status_code=403)
        language, document = request.path_params["language"], request.path_params["document"]
        if not site.known(language, document):
            return JSONResponse({"ok": False, "message": "no such document"}, status_code=404)
        try:
            catalog = await run_in_threadpool(pages.load_catalog, config, language, document)
        except PipelineError as failure:
            return JSONResponse({"ok": False, "message": failure.one_line()}, status_code=422)
        entry = find_by_key(catalog, request.path_params["key"])
        if entry is None:
            return JSONResponse({"ok": False, "message": "no such entry"}, status_code=404)
        return JSONResponse(_entry_json(entry))

    async def entry_post(request: Request) -> Response:
        session, user = site.user_of(request)
        if session is None or user is None:
            return refuse(request, 403, "log in first: nothing was saved")
        if not _origin_ok(request):
            return refuse(
                request, 403, "refused: the form did not come from this site", session, user
            )
        form = await request.form()
        given = str(form.get("csrf", "")) or request.headers.get("x-csrf-token", "")
        if not csrf_ok(session, given):
            return refuse(
                request, 403, "refused: the form is stale or forged; reload the page", session, user
            )
        language, document = request.path_params["language"], request.path_params["document"]
        key = request.path_params["key"]
        state = str(form.get("state", "review"))
        if not site.known(language, document) or state not in pages.FILTERS:
            return refuse(request, 404, "no such document or filter", session, user)
        if not user.may_edit(language):
            return refuse(
                request, 403, f"you may not change {language}; nothing was saved", session, user
            )
        action = str(form.get("action", ""))
        if action not in ACTIONS:
            return refuse(request, 400, "unknown action", session, user)
        text = form.get("text")
        save = Save(
            language,
            document,
            key,
            str(form.get("version", "")),
            action,
            None if text is None else str(text),
            user.name,
        )

        def page_again(status: int, notice: str, text: str | None) -> Response:
            """The entry's page once more, saying why the save did not happen."""
            return entry_response(
                request,
                session,
                user,
                language,
                document,
                key,
                state,
                status=status,
                notice=notice,
                text=text,
            )

        try:
            saved = await run_in_threadpool(_save_in_turn, site, save)
        except SaveConflict as conflict:
            if _wants_json(request):
                current = None if conflict.current is None else _entry_json(conflict.current)
                return JSONResponse(
                    {"ok": False, "message": conflict.message, "current": current}, 409
                )
            return await run_in_threadpool(page_again, 409, f"not saved: {conflict.message}", None)
        except LockError:
            if _wants_json(request):
                return JSONResponse({"ok": False, "message": BUSY}, 503, {"Retry-After": "2"})
            response = await run_in_threadpool(page_again, 503, f"not saved: {BUSY}", save.text)
            response.headers["Retry-After"] = "2"
            return response
        except NothingToApprove as empty:
            return refuse(request, 422, empty.message, session, user)
        except PipelineError as failure:
            return refuse(request, 422, f"not saved: {failure.one_line()}", session, user)
        if _wants_json(request):
            return JSONResponse({"ok": True, **_entry_json(saved)})
        if action == "approve":
            following = await run_in_threadpool(_following, config, language, document, key, state)
            if following:
                return RedirectResponse(
                    _entry_url(language, document, following, state, "approved"), 303
                )
            return RedirectResponse(
                f"/d/{quote(language)}/{quote(document)}?state={quote(state)}", 303
            )
        return RedirectResponse(_entry_url(language, document, key, state, "saved"), 303)

    async def preview(request: Request) -> Response:
        session, user = site.user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        language, document = request.path_params["language"], request.path_params["document"]
        if not site.known(language, document):
            return refuse(request, 404, "no such document", session, user)
        try:
            html = await run_in_threadpool(_preview_html, config, language, document)
        except PipelineError as failure:
            return refuse(request, 422, f"no preview: {failure.one_line()}", session, user)
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": PREVIEW_CSP},
        )

    routes = [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/d/{language}/{document}", document_page),
        Route("/e/{language}/{document}/{key}", entry_get, methods=["GET"]),
        Route("/e/{language}/{document}/{key}", entry_post, methods=["POST"]),
        Route("/api/e/{language}/{document}/{key}", entry_json),
        Route("/preview/{language}/{document}", preview),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def pipeline_error(request: Request, error: Exception) -> Response:
        # e.g. a damaged users file: one line on a page, as the CLI would print it
        message = error.one_line() if isinstance(error, PipelineError) else str(error)
        return refuse(request, 500, message)

    app = Starlette(routes=routes, exception_handlers={PipelineError: pipeline_error})
    app.add_middleware(SecurityHeaders)
    return app


def _entry_json(entry: Any) -> dict[str, Any]:
    from ..catalog import state_of

    return {
        "key": entry_key(entry),
        "version": entry_version(entry),
        "text": entry.translated_text,
        "state": state_of(entry).value,
    }


def _following(config: Config, language: str, document: str, key: str, state: str) -> str:
    """The next entry after ``key`` in file order that the filter shows ("" at the end)."""
    try:
        catalog = pages.load_catalog(config, language, document)
    except PipelineError:
        return ""
    entries = [e for e in catalog.active() if e.msgid]
    keys = [entry_key(e) for e in entries]
    start = keys.index(key) + 1 if key in keys else 0
    for entry in entries[start:]:
        if pages.wanted(entry, state):
            return entry_key(entry)
    return ""


def _preview_html(config: Config, language: str, document: str) -> bytes:
    """The HTML edition as a build would write it now, made in memory from the catalog."""
    from ..editions import render_editions
    from ..layout import source_paths
    from ..stages import load_document

    catalog = pages.load_catalog(config, language, document)
    source = load_document(config, source_paths(config, [document])[0])
    _, rendered = render_editions(config, source, language, catalog, only={"html"})
    if not rendered:
        raise PipelineError("this document has no HTML edition")
    return rendered[0][1]

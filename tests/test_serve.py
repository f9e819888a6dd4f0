"""`discourse serve`: access control, CSRF, the API contract, escaping, users (in-process client)."""
from __future__ import annotations

import re
import sqlite3

import pandas as pd
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
from starlette.routing import Mount
from starlette.testclient import TestClient

from discourse.cli import main
from discourse.moderation.queue import ReviewQueue
from discourse.serve.app import create_app
from discourse.serve.auth import Users
from discourse.serve.run import is_loopback

PASSWORD = "correct horse battery"
HOSTILE = [
    "<script>window.__pwned=1</script> hello",
    '<img src=x onerror="window.__pwned=1"> you idiot',
    '<a href="javascript:window.__pwned=1">click me</a>',
]


def make_db(path, n_plain=4):
    texts = HOSTILE + [f"plain comment {i}" for i in range(n_plain)]
    n = len(texts)
    comments = pd.DataFrame({
        "thread_id": ["t1"] * n, "comment_id": [f"c{i}" for i in range(n)],
        "author": ["<b>mallory</b>", "eve", "javascript:alert(1)"] + [f"user{i}" for i in range(n_plain)],
        "text": texts, "parent_id": [None, "c0", "c1"] + ["c0"] * n_plain, "position": list(range(n)),
        "triage_priority": [0.9, 0.8, 0.7] + [0.1] * n_plain,
        "triage_reasons": ["", "incivility 0.80: insult aimed at <b>mallory</b>: 'you idiot'", ""] + [""] * n_plain,
    })
    threads = pd.DataFrame({"thread_id": ["t1"], "title": ["<i>Title</i>"], "outlet": ["Daily <Planet>"], "url": [None]})
    with ReviewQueue(path) as q:
        q.add(comments, threads=threads, mode="fast")
    with Users(path) as users:
        users.add("ann", "admin", PASSWORD)
        users.add("bob", "moderator", PASSWORD)
        tokens = {"ann": users.new_token("ann"), "bob": users.new_token("bob")}
    return tokens


@pytest.fixture
def env(tmp_path):
    db = tmp_path / "q.sqlite"
    tokens = make_db(db)
    app = create_app(db)
    return app, db, tokens


def login(client, name="ann", password=PASSWORD):
    page = client.get("/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": name, "password": password, "csrf": nonce, "next": "/queue"})
    return r


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_nothing_is_reachable_without_logging_in(env):
    app, db, _tokens = env
    client = TestClient(app, follow_redirects=False)
    fp = ReviewQueue(db).items()[0]["fingerprint"]
    seen = set()
    for route in app.routes:
        if isinstance(route, Mount) or route.path in ("/login", "/favicon.ico"):  # the form; an empty icon
            continue
        path = route.path.replace("{fp}", fp)
        for method in sorted(route.methods - {"HEAD"}):
            seen.add((method, route.path))
            r = client.request(method, path, data={"queue_id": fp, "decision": "reject"} if method == "POST" else None)
            if path.startswith("/api/"):
                assert r.status_code == 401, (method, path)
                assert r.headers["www-authenticate"].startswith("Bearer")
            else:
                assert r.status_code in (303, 403), (method, path)
                assert r.status_code == 403 or r.headers["location"].startswith("/login")
            assert "plain comment" not in r.text and "mallory" not in r.text
    assert {("GET", "/queue"), ("POST", "/decide"), ("GET", "/api/queue"), ("POST", "/api/decisions")} <= seen
    assert client.get("/api/queue", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/no/such/page").status_code == 303
    assert client.get("/favicon.ico").content == b""
    assert ReviewQueue(db).history(fp) == []


def test_login_sets_a_strict_session_cookie_and_pages_are_not_cached(env):
    app, db, _ = env
    client = TestClient(app, follow_redirects=False)
    assert login(client, password="wrong password").status_code == 401
    r = login(client)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "discourse_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # loopback, plain HTTP
    page = client.get("/queue")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    for _ in range(5):
        assert login(client, name="bob", password="guess").status_code == 401
    assert login(client, name="bob").status_code == 429  # a pause after five failures, even with the password
    secure = TestClient(create_app(db, secure_cookies=True), base_url="https://testserver", follow_redirects=False)
    assert "Secure" in login(secure).headers["set-cookie"]
    client.post("/logout", data={"csrf": csrf_of(page.text)})
    assert client.get("/queue").status_code == 303


def test_state_changing_forms_need_the_csrf_token(env):
    app, db, _ = env
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    assert client.post("/login", data={"name": "ann", "password": PASSWORD}).status_code == 403
    login(client)
    page = client.get("/queue")
    fp = re.search(r'data-queue-id="([^"]+)"', page.text).group(1)
    for data in ({}, {"csrf": "forged"}):
        r = client.post("/decide", data={"queue_id": fp, "decision": "reject", **data})
        assert r.status_code == 403
        assert client.post("/bulk", data={"queue_id": fp, "decision": "reject", **data}).status_code == 403
        assert client.post("/users", data={"name": "x", "role": "admin", "password": "12345678", **data}).status_code == 403
    assert ReviewQueue(db).history(fp) == []
    r = client.post("/decide", data={"queue_id": fp, "decision": "reject", "note": "n", "csrf": csrf_of(page.text),
                                     "next": "/\t/evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/queue"  # no open redirect
    assert [h["moderator"] for h in ReviewQueue(db).history(fp)] == ["ann"]


def test_hostile_text_is_shown_escaped(env):
    app, _, _ = env
    client = TestClient(app)
    login(client)
    html = client.get("/queue").text + client.get("/thread?id=t1").text
    assert "<script>window" not in html and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "<img src=x" not in html and 'href="javascript:' not in html and "onerror=\"window" not in html
    assert "<b>mallory</b>" not in html and "&lt;b&gt;mallory&lt;/b&gt;" in html
    assert "<mark title=" in html and ">you idiot</mark>" in html  # the evidence, highlighted
    assert len(re.findall(r"<script\b", html)) == 2  # only app.js, once per page
    assert "Daily &lt;Planet&gt;" in html


def test_api_contract(env):
    app, _db, tokens = env
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {tokens['bob']}"}
    items = client.get("/api/queue?status=pending&limit=2", headers=auth).json()["items"]
    assert len(items) == 2 and items[0]["priority"] >= items[1]["priority"]
    assert {"queue_id", "thread_id", "comment_id", "author", "text", "priority", "reasons", "status"} <= set(items[0])
    assert items[1]["reasons"] == ["incivility 0.80: insult aimed at <b>mallory</b>: 'you idiot'"]
    assert items[1]["evidence"][0]["start"] == items[1]["text"].index("you idiot")
    assert items[0]["mode"] == "fast"
    qid = items[0]["queue_id"]
    r = client.post("/api/decisions", json={"queue_id": qid, "decision": "reject", "note": "script"}, headers=auth)
    assert r.status_code == 201 and r.json()["moderator"] == "bob" and r.json()["status"] == "rejected"
    again = client.post("/api/decisions", json={"queue_id": qid, "decision": "approve"}, headers=auth)
    assert again.status_code == 409 and again.json()["status"] == "rejected"
    over = client.post("/api/decisions", json={"queue_id": qid, "decision": "approve", "override": True}, headers=auth)
    assert over.status_code == 201 and over.json()["previous"] == "reject"
    stale = client.post("/api/decisions", json={"queue_id": qid, "decision": "defer", "last_decision_id": 1,
                                                "override": False}, headers=auth)
    assert stale.status_code == 409
    hist = client.get(f"/api/decisions?queue_id={qid}", headers=auth).json()
    assert [(d["decision"], d["moderator"], d["note"]) for d in hist["decisions"]] == [
        ("reject", "bob", "script"), ("approve", "bob", None)]
    assert client.get("/api/queue?status=approved", headers=auth).json()["items"][0]["queue_id"] == qid
    bad = [({"queue_id": qid, "decision": "delete"}, 400), ({"decision": "approve"}, 400),
           ({"queue_id": "ffffffffffffffffffff", "decision": "approve"}, 404)]
    for body, status in bad:
        assert client.post("/api/decisions", json=body, headers=auth).status_code == status
    assert client.post("/api/decisions", content=b"{not json", headers=auth).status_code == 400
    assert client.post("/api/decisions", json={"queue_id": qid, "decision": "approve"}).status_code == 401


def test_only_admins_manage_users(env):
    app, db, _ = env
    mod = TestClient(app, follow_redirects=False)
    login(mod, "bob")
    assert mod.get("/users").status_code == 403
    csrf = csrf_of(mod.get("/queue").text)
    assert mod.post("/users", data={"name": "zed", "role": "admin", "password": "12345678", "csrf": csrf}).status_code == 403
    admin = TestClient(app, follow_redirects=False)
    login(admin)
    csrf = csrf_of(admin.get("/users").text)
    r = admin.post("/users", data={"name": "cy", "role": "moderator", "password": "another-pass", "csrf": csrf,
                                   "token": "1"})
    assert r.status_code == 200 and "dsc_" in r.text
    with Users(db) as users:
        assert [u["name"] for u in users.all()] == ["ann", "bob", "cy"]


def test_the_queue_filters_and_the_thread_and_history_pages(env):
    app, _db, _tokens = env
    client = TestClient(app)
    login(client)
    assert client.get("/queue?reason=incivility").text.count("<article") == 1
    assert client.get("/queue?outlet=nowhere").text.count("<article") == 0
    assert client.get("/queue?thread=t1&status=pending").text.count("<article") == 7
    assert client.get("/queue?status=rejected").text.count("<article") == 0
    page = client.get("/queue").text
    fps = re.findall(r'data-queue-id="([^"]+)"', page)
    r = client.post("/bulk", data={"queue_id": fps[:2], "decision": "defer", "note": "later", "csrf": csrf_of(page),
                                   "next": "/queue"})
    assert r.status_code == 200 and client.get("/queue?status=deferred").text.count("<article") == 2
    thread = client.get(f"/thread?id=t1&focus={fps[2]}").text
    assert thread.count("<article") == 7 and 'class="item status-pending focus' in thread
    assert "in reply to" in thread
    history = client.get(f"/item/{fps[0]}").text
    assert "later" in history and "ann" in history and "defer" in history


def test_secrets_are_stored_hashed(env):
    _, db, tokens = env
    con = sqlite3.connect(db)
    stored = [r[0] for r in con.execute("SELECT password FROM users")]
    assert all(s.startswith("scrypt$") and PASSWORD not in s for s in stored) and len(set(stored)) == 2
    hashes = [r[0] for r in con.execute("SELECT hash FROM tokens")]
    assert tokens["ann"] not in hashes and len(hashes[0]) == 64


def test_users_command(tmp_path, capsys):
    db = tmp_path / "q.sqlite"
    pw = tmp_path / "pw"
    pw.write_text("a long password\n", encoding="utf-8")
    assert main(["users", "token", "ann", "--db", str(db)]) == 1  # no database yet: not created
    assert not db.exists()
    assert main(["users", "add", "ann", "--role", "admin", "--password-file", str(pw), "--db", str(db)]) == 0
    assert main(["users", "add", "ann", "--role", "admin", "--password-file", str(pw), "--db", str(db)]) == 1
    assert "exists already" in capsys.readouterr().err
    assert main(["users", "token", "ann", "--db", str(db)]) == 0
    token = capsys.readouterr().out.strip()
    with Users(db) as users:
        assert users.by_token(token)["name"] == "ann" and users.login("ann", "a long password")
    assert main(["users", "token", "nobody", "--db", str(db)]) == 1
    assert main(["users", "add", "--db", str(db)]) == 1 and "needs a user NAME" in capsys.readouterr().err
    assert main(["users", "list", "--db", str(db)]) == 0 and "ann\tadmin" in capsys.readouterr().out
    assert main(["serve", "--db", str(tmp_path / "missing.sqlite")]) == 1
    assert "no triage database" in capsys.readouterr().err


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_serve_binds_loopback_and_warns_otherwise(env, monkeypatch, caplog, capsys):
    import logging

    import uvicorn

    from discourse.serve.run import serve

    _, db, _ = env
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setattr(logging.getLogger("discourse"), "propagate", True)
    with caplog.at_level(logging.WARNING, logger="discourse"):
        assert serve(str(db)) == 0
        assert not caplog.records
        assert serve(str(db), host="0.0.0.0", port=8080) == 0
    assert "not loopback" in caplog.text
    (local, kw_local), (public, kw_public) = calls
    assert kw_local["host"] == "127.0.0.1" and not local.state.secure_cookies
    assert TestClient(local, base_url="http://evil.example").get("/login").status_code == 400  # DNS rebinding
    assert TestClient(local, base_url="http://127.0.0.1:8000").get("/login").status_code == 200
    assert kw_public["host"] == "0.0.0.0" and public.state.secure_cookies
    assert "http://127.0.0.1:8000/" in capsys.readouterr().err


def test_a_final_decision_changes_only_with_override_from_the_history_page(env):
    app, db, _ = env
    client = TestClient(app, follow_redirects=False)
    login(client)
    page = client.get("/queue").text
    fp = re.search(r'data-queue-id="([^"]+)"', page).group(1)
    csrf = csrf_of(page)
    client.post("/decide", data={"queue_id": fp, "decision": "reject", "csrf": csrf, "next": "/queue"})
    card = client.get("/thread?id=t1").text.split(f'id="i-{fp}"')[1].split("</article>")[0]
    assert "Decided: rejected" in card and 'action="/decide"' not in card
    stale = client.post("/decide", data={"queue_id": fp, "decision": "approve", "csrf": csrf, "seen": ""})
    assert stale.status_code == 409  # read before the rejection
    history = client.get(f"/item/{fp}").text
    assert 'name="override" value="1"' in history
    r = client.post("/decide", data={"queue_id": fp, "decision": "approve", "override": "1", "note": "on appeal",
                                     "csrf": csrf, "next": f"/item/{fp}"})
    assert r.status_code == 303
    assert [h["decision"] for h in ReviewQueue(db).history(fp)] == ["reject", "approve"]

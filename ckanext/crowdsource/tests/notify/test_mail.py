"""E-mail of notifications, with a real SMTP server (aiosmtpd, on a free
port) and a real RQ worker (``ckan jobs worker crowdsource`` on the tests'
database and Redis): immediate mail after the commit, retried when the SMTP
server is down and sent once, digests grouped and never sent twice, read
notifications never mailed, Redis down at write time, the unsubscribe link,
and the reader's language."""
from __future__ import annotations

import email
import email.policy
import logging
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from ckan import model
from ckan.lib import jobs as ckan_jobs
from ckan.lib import redis as ckan_redis
from ckan.tests import helpers

from ckanext.crowdsource.notify import mail
from ckanext.crowdsource.notify.model import notification, settings
from ckanext.crowdsource.tests.helpers import as_user
from ckanext.crowdsource.tests.served import ckan_command_env, jobs_worker

SITE = "http://localhost"


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(
            envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, count: int = 1, seconds: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.to(address)) < count:
            time.sleep(0.2)  # the worker sends in its own process
        return self.to(address)


class SmtpServer:
    """An aiosmtpd server on one port, stopped and started again at will."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mails(smtp: SmtpServer, ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The SMTP server, empty, and this process's CKAN sending to it."""
    if smtp.controller is None:
        smtp.start()
    smtp.inbox.messages.clear()
    monkeypatch.setitem(ckan_config, "smtp.server", smtp.address)
    return smtp


@pytest.fixture(scope="module")
def worker(smtp: SmtpServer) -> Iterator[str]:
    """A job worker on the ``crowdsource`` queue that mails through ``smtp``."""
    with jobs_worker("crowdsource", **{"smtp.server": smtp.address,
                                      "ckan.site_url": SITE}) as log:
        yield log


def set_email(user: dict[str, Any], how: str, **more: Any) -> None:
    as_user(user, "crowdsource_notify_settings_update", email=how, **more)


def ask_and_answer(lib: dict[str, Any], asker: str = "reader", answerer: str = "reader2",
                   title: str = "Where is the east gate?"
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    q = as_user(lib[asker], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title=title, body="On which sheet?")
    a = as_user(lib[answerer], "crowdsource_post_create", thread_id=q["id"], body="Sheet 4.")
    return q, a


def pending(user: dict[str, Any]) -> int:
    n = notification.c
    found = model.Session.execute(sa.select(sa.func.count()).select_from(notification).where(
        n.user_id == user["id"], n.mailed_at.is_(None))).scalar_one()
    model.Session.rollback()
    return found


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def eventually(check: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)  # waiting for the worker's process
    return False


def jobs_done() -> bool:
    """Nothing left for the worker: no job queued, running or waiting for a
    retry on the ``crowdsource`` queue (so no mail can still come)."""
    from ckan.lib import jobs

    queue = jobs.get_queue("crowdsource")
    return not (queue.count or queue.started_job_registry.count
                or queue.scheduled_job_registry.count)


def test_an_answer_mails_the_asker_at_once(lib, mails, worker):
    set_email(lib["reader"], "immediately")
    q, a = ask_and_answer(lib)
    got = mails.inbox.wait_for(lib["reader"]["email"])
    assert len(got) == 1, open(worker).read()
    message = got[0]
    name = lib["reader2"]["fullname"] or lib["reader2"]["name"]
    assert message["Subject"].strip() == f"{name} answered your question Where is the east gate? " \
                                 "(City Maps)"
    body = text_of(message)
    assert f"{name} answered your question Where is the east gate? (City Maps)" in body
    assert f"{SITE}/crowdsource/questions/{q['id']}#post-{a['id']}" in body
    assert f'href="{SITE}/crowdsource/questions/{q["id"]}#post-{a["id"]}"' in html_of(message)
    unsubscribe = mail.unsubscribe_url(lib["reader"]["id"])
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in body
    assert eventually(lambda: pending(lib["reader"]) == 0)
    # the answerer chose nothing (a daily digest): no mail now
    assert eventually(jobs_done)
    assert len(mails.inbox.messages) == 1
    assert mail.send_digests() == 0  # nothing left for the asker


def test_a_daily_digest_groups_and_is_not_sent_twice(lib, mails):
    reader = lib["reader"]
    post = as_user(reader, "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Is there an 1850 edition?")
    as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"], body="Yes")
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=post["id"], body="No")
    q, _a = ask_and_answer(lib)
    assert mail.send_digests() == 1
    assert mail.send_digests() == 0  # twice: no second mail
    (message,) = mails.inbox.to(reader["email"])
    assert message["Subject"] == "Your daily notifications from CKAN crowdsource tests"
    body = text_of(message)
    # grouped by item: the discussion of City Maps (two replies), then the question
    assert body.count("* City Maps") == 1
    assert body.index("replied to your post") < body.index("answered your question")
    assert body.count("replied to your post on City Maps") == 2
    assert f"{SITE}/crowdsource/questions/{q['id']}" in body
    assert pending(reader) == 0
    # a new one waits for the next day
    as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"], body="Again")
    assert mail.send_digests() == 0 and pending(reader) == 1
    model.Session.execute(sa.update(settings).where(settings.c.user_id == reader["id"])
                          .values(last_digest=sa.func.now() - sa.text("interval '1 day'")))
    model.Session.commit()
    assert mail.send_digests() == 1
    assert len(mails.inbox.to(reader["email"])) == 2


def test_a_notification_read_in_the_portal_is_not_mailed(lib, mails):
    ask_and_answer(lib)
    as_user(lib["reader"], "crowdsource_notification_mark_read", all=True)
    assert mail.send_digests() == 0
    assert mails.inbox.messages == []
    assert pending(lib["reader"]) == 0  # marked: never looked at again


def test_what_the_reader_can_no_longer_see_is_not_mailed(lib, mails):
    q, _a = ask_and_answer(lib)
    as_user(lib["sysadmin"], "package_patch", id=lib["ds"]["id"], private=True)
    assert mail.send_digests() == 0
    assert pending(lib["reader"]) == 1  # waits, in case it is shown again


def test_readers_who_chose_never_or_have_no_address_get_nothing(lib, mails):
    set_email(lib["reader"], "never")
    ask_and_answer(lib)
    ask_and_answer(lib, asker="reader3")
    model.Session.execute(sa.update(model.User.__table__).where(
        model.User.id == lib["reader3"]["id"]).values(email=None))
    model.Session.commit()
    assert mail.send_digests() == 0
    assert mails.inbox.messages == []
    assert pending(lib["reader"]) == pending(lib["reader3"]) == 0


def test_a_down_smtp_server_is_retried_and_mails_once(lib, mails, worker):
    set_email(lib["reader"], "immediately")
    mails.stop()
    try:
        ask_and_answer(lib)
        # the job failed: the rows wait for its retry
        assert eventually(lambda: "could not be connected" in open(worker).read(), 30), \
            open(worker).read()
        assert pending(lib["reader"]) == 1
    finally:
        mails.start()
    got = mails.inbox.wait_for(lib["reader"]["email"], seconds=60)
    assert len(got) == 1, open(worker).read()
    assert eventually(lambda: pending(lib["reader"]) == 0)
    assert eventually(jobs_done)  # no retry left that could mail again
    assert len(mails.inbox.to(lib["reader"]["email"])) == 1


@pytest.fixture
def redis_down(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's CKAN talks to a Redis that is not there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(ckan_config, "ckan.redis.url", f"redis://127.0.0.1:{port}/8")
    monkeypatch.setattr(ckan_redis, "_connection_pool", None)
    monkeypatch.setattr(ckan_jobs, "_queues", {})  # CKAN keeps its queues' connections
    yield
    ckan_redis._connection_pool = None


def test_redis_down_at_write_time_the_cron_sends_it(lib, mails, redis_down, caplog,
                                                   monkeypatch):
    set_email(lib["reader"], "immediately")
    # ckanext's loggers do not propagate, and test.ini's logging set-up
    # turned off the loggers made before it
    log = logging.getLogger(mail.__name__)
    monkeypatch.setattr(log, "disabled", False)
    log.addHandler(caplog.handler)
    try:
        # saved although the job cannot be queued
        q, a = ask_and_answer(lib, title="Gates & walls <1850>")
    finally:
        log.removeHandler(caplog.handler)
    assert "Could not queue the mail" in caplog.text
    assert as_user(lib["reader"], "crowdsource_notification_count")["count"] == 1
    assert pending(lib["reader"]) == 1
    assert mail.send_digests() == 1
    (message,) = mails.inbox.to(lib["reader"]["email"])
    assert f"/crowdsource/questions/{q['id']}#post-{a['id']}" in text_of(message)
    # the text part as written, the HTML part escaped
    assert "your question Gates & walls <1850> (City Maps)" in text_of(message)
    assert "Gates &amp; walls &lt;1850&gt;" in html_of(message)
    assert mail.send_digests() == 0


def test_the_unsubscribe_link_works_logged_out(lib, app):
    reader = lib["reader"]
    path = mail.unsubscribe_url(reader["id"]).removeprefix(SITE)
    page = app.get(path)
    assert page.status_code == 200 and 'class="cs-unsubscribe"' in page.body
    assert as_user(reader, "crowdsource_notify_settings_show")["email"] == "daily"
    res = app.post(path, follow_redirects=False)
    assert res.status_code == 302
    assert as_user(reader, "crowdsource_notify_settings_show")["email"] == "never"
    assert 'class="cs-unsubscribed"' in app.get(res.headers["Location"]).body
    for bad in ("nonsense", mail.unsubscribe_token("no-such-user"),
                path.rsplit("/", 1)[1][:-2] + "xx"):
        url = f"/crowdsource/notifications/unsubscribe/{bad}"
        assert app.get(url).status_code == 404
        assert app.post(url).status_code == 404
    with pytest.raises(Exception, match="not valid"):
        helpers.call_action("crowdsource_notify_unsubscribe", token="nonsense")


def test_a_chinese_reader_gets_a_chinese_mail(lib, mails):
    set_email(lib["reader"], "daily", locale="zh_Hans_CN")
    ask_and_answer(lib)
    assert mail.send_digests() == 1
    (message,) = mails.inbox.to(lib["reader"]["email"])
    assert "回答了你的问题" in text_of(message)
    assert "回答了你的问题" in html_of(message)
    assert 'lang="zh-Hans-CN"' in html_of(message)


@pytest.mark.served
def test_a_mail_clients_one_click_unsubscribe_needs_no_csrf_token(lib):
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` to the
    link, with no cookie and no CSRF token, to a portal that checks CSRF."""
    import requests

    from ckanext.crowdsource.tests.served import serve

    reader = lib["reader"]
    path = mail.unsubscribe_url(reader["id"]).removeprefix(SITE)
    with serve() as base:
        res = requests.post(base + path, data={"List-Unsubscribe": "One-Click"},
                            allow_redirects=False)
        assert res.status_code == 302, res.text
        # CSRF still guards the other forms
        other = requests.post(f"{base}/crowdsource/notifications/settings",
                              data={"email": "weekly"}, allow_redirects=False)
        assert other.status_code == 400
    assert as_user(reader, "crowdsource_notify_settings_show")["email"] == "never"


def test_weekly_digests_wait_a_week(lib, mails):
    reader = lib["reader"]
    set_email(reader, "weekly")
    ask_and_answer(lib)
    assert mail.send_digests() == 1
    (message,) = mails.inbox.to(reader["email"])
    assert message["Subject"] == "Your weekly notifications from CKAN crowdsource tests"
    assert "in the past week" in text_of(message)
    ask_and_answer(lib)
    for days, sent in ((3, 0), (7, 1)):
        model.Session.execute(sa.update(settings).where(settings.c.user_id == reader["id"])
                              .values(last_digest=sa.func.now()
                                      - sa.text(f"interval '{days} days'")))
        model.Session.commit()
        assert mail.send_digests() == sent


def test_a_community_groups_its_notifications(lib, mails):
    """The digest's groups: each community by name, then the items."""
    community = lib["community"]
    as_user(lib["sysadmin"], "crowdsource_community_create", id=community["id"])
    for name in ("reader", "reader2"):
        as_user(lib[name], "crowdsource_community_join", id=community["id"])
    as_user(lib["reader2"], "crowdsource_question_create", community_id=community["id"],
            title="Old mills?", body="Where were they?")
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Is there an 1850 edition?")
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=post["id"], body="Yes")
    assert mail.send_digests() == 1
    body = text_of(mails.inbox.to(lib["reader"]["email"])[0])
    title = helpers.call_action("group_show", id=community["id"])["display_name"]
    assert f"== {title} ==" in body
    # the items of no community first, then the community's
    assert body.index("replied to your post") < body.index(f"== {title} ==") \
        < body.index("asked Old mills?")


def test_two_senders_at_once_mail_each_reader_once(lib, mails):
    """Two ``ckan crowdsource send-digests`` at the same moment: each
    reader's rows are claimed by one of them (SKIP LOCKED)."""
    readers = [lib[name] for name in ("reader", "reader3", "editor", "admin")]
    for name in ("reader", "reader3", "editor", "admin"):
        ask_and_answer(lib, asker=name)
    with ckan_command_env(**{"smtp.server": mails.address, "ckan.site_url": SITE}) as (
            ckan, env):
        runs = [subprocess.Popen([*ckan, "crowdsource", "send-digests"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _ in range(2)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    sent = sum(int(line.split()[0]) for out in outputs for line in out.splitlines()
               if line.endswith("e-mails sent"))
    assert sent == len(readers), outputs
    for reader in readers:
        assert len(mails.inbox.to(reader["email"])) == 1
        assert pending(reader) == 0


def test_send_digests_in_the_background_on_the_worker(lib, mails, worker, cli):
    from ckan.cli.cli import ckan

    ask_and_answer(lib)
    result = cli.invoke(ckan, ["crowdsource", "send-digests", "--background"])
    assert result.exit_code == 0 and "Queued job" in result.output
    assert len(mails.inbox.wait_for(lib["reader"]["email"])) == 1, open(worker).read()


def test_the_settings_page_keeps_the_language_of_the_readers_mail(lib, app):
    from ckanext.crowdsource.tests.helpers import log_in

    reader = lib["reader"]
    assert mail.locale_of(reader["id"]) == "en"  # the site's, before any choice
    log_in(app, reader)
    app.post("/zh_Hans_CN/crowdsource/notifications/settings", data={"email": "daily"})
    assert mail.locale_of(reader["id"]) == "zh_Hans_CN"
    app.post("/crowdsource/notifications/settings", data={"email": "daily"})
    assert mail.locale_of(reader["id"]) == "en"

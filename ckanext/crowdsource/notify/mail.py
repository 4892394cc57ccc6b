"""E-mail of notifications: the outbox, the immediate job and the digests.

The outbox is the notification rows themselves: ``mailed_at`` is null while
a row waits for its mail (a partial index keeps those). A row is mailed at
most once:

- a reader's rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``,
  the mail is sent, ``mailed_at`` set and the transaction committed, one
  reader at a time: two senders never claim the same rows, and a failing
  SMTP server rolls the reader's claim back (the rows wait for the next
  try, nothing is lost);
- a row read in the portal before its mail went is never mailed (it counts
  as seen), nor one about what the reader may no longer see (a dataset
  turned private, a hidden item: left waiting, in case it is shown again),
  nor any of a reader without an e-mail address, deleted, or who chose
  ``never`` (those are marked, so they are not looked at again).

Readers who chose ``immediately`` get their mail from a CKAN background job
(:func:`send_immediate`, queue ``crowdsource``) queued after the
contribution's transaction commits (never before, never inside it); if
Redis is down the job cannot be queued, the contribution is saved anyway and
``ckan crowdsource send-digests`` (cron) sends the mail later. That command
(:func:`send_digests`) also sends the daily and weekly digests.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.lib import mailer
from ckan.plugins import toolkit
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common import config as cs_config

from . import core
from .model import notification, settings

log = logging.getLogger(__name__)

QUEUE = "crowdsource"
# RQ retries a job whose mail could not be sent, after these many seconds
RETRY_INTERVALS = [10, 60, 300]
PERIODS = {"daily": datetime.timedelta(days=1), "weekly": datetime.timedelta(days=7)}
# a digest counts as due a little early, so that a cron job run at the same
# time each day (or week) does not slip by a whole period
DUE_EARLY = datetime.timedelta(minutes=30)
_PENDING = "crowdsource_mail_after_commit"
_SALT = "crowdsource-unsubscribe"


# --- queueing the immediate job after the commit --------------------------------

def written(immediate: Iterable[str]) -> None:
    """Notifications for these readers, who chose ``immediately``, were
    written in the current transaction: a job is queued for them once it
    commits (none when e-mail is off)."""
    if not cs_config.notify_email():
        return
    session = model.Session()
    if _PENDING not in session.info:  # once per session: the listeners stay
        session.info[_PENDING] = set()
        sa.event.listen(session, "after_commit", _queue_pending)
        sa.event.listen(session, "after_rollback", _forget_pending)
    session.info[_PENDING].update(immediate)


def _forget_pending(session: Any) -> None:
    session.info.get(_PENDING, set()).clear()


def _queue_pending(session: Any) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    ids = sorted(pending)
    pending.clear()
    queue_immediate(ids)


def queue_immediate(user_ids: list[str]) -> bool:
    """Queue :func:`send_immediate` for these readers; False (and a
    warning) when the queue cannot be reached: the rows wait for
    ``send-digests``."""
    from rq import Retry

    try:
        toolkit.enqueue_job(send_immediate, [user_ids], title="crowdsource: mail",
                            queue=QUEUE, rq_kwargs={
                                "retry": Retry(max=len(RETRY_INTERVALS),
                                               interval=RETRY_INTERVALS)})
    except Exception as e:  # noqa: BLE001 - Redis down, or any failure to queue
        log.warning("Could not queue the mail of %d readers (%s); `ckan crowdsource "
                    "send-digests` will send it", len(user_ids), e)
        return False
    return True


# --- sending ----------------------------------------------------------------------

def send_immediate(user_ids: list[str] | None = None) -> int:
    """Mail the waiting notifications of readers who chose ``immediately``
    (of ``user_ids`` only, when given). Raises when a mail cannot be sent,
    so that RQ tries again; what was sent before stays sent. Returns how many
    mails went out."""
    n, s = notification.c, settings.c
    query = (sa.select(n.user_id).distinct().join(settings, s.user_id == n.user_id)
             .where(n.mailed_at.is_(None), s.email == "immediately"))
    if user_ids is not None:
        query = query.where(n.user_id.in_(user_ids))
    readers = model.Session.execute(query).scalars().all()
    model.Session.rollback()
    return sum(_mail_reader(user_id) for user_id in readers)


def send_digests() -> int:
    """Send the e-mail of notifications that is due: immediate mail left
    over, and the daily and weekly digests.

    One mail per reader; safe to run twice or at once (no mail twice).
    Readers who chose ``never`` have their waiting rows marked and get
    nothing. A reader whose mail fails is left for the next run, the
    others are sent; the run then fails. Returns how many mails went out."""
    if not cs_config.notify_email():
        return 0
    n, s = notification.c, settings.c
    # readers who want no mail: their rows leave the outbox
    never = sa.select(s.user_id).where(s.email == "never")
    model.Session.execute(sa.update(notification).where(
        n.mailed_at.is_(None), n.user_id.in_(never)).values(mailed_at=sa.func.now()))
    model.Session.commit()
    email = sa.func.coalesce(s.email, core.DEFAULT_EMAIL)
    due = sa.or_(*[sa.and_(email == name, sa.or_(
        s.last_digest.is_(None),
        s.last_digest <= sa.func.now() - (period - DUE_EARLY)))
        for name, period in PERIODS.items()])
    readers = model.Session.execute(
        sa.select(n.user_id, email.label("email")).distinct()
        .outerjoin(settings, s.user_id == n.user_id)
        .where(n.mailed_at.is_(None), sa.or_(email == "immediately", due))).all()
    model.Session.rollback()
    sent, failed = 0, 0
    for user_id, how in readers:
        try:
            sent += _mail_reader(user_id, digest=how if how in PERIODS else None)
        except mailer.MailerException as e:
            failed += 1
            log.warning("Could not mail reader %s, left for the next run: %s", user_id, e)
    if failed:
        raise mailer.MailerException(f"{failed} mails could not be sent; {sent} were")
    return sent


def _mail_reader(user_id: str, digest: str | None = None) -> int:
    """Claim, mail and mark one reader's waiting notifications, in one
    transaction; 1 if a mail went out."""
    session = model.Session
    n = notification.c
    try:
        claimed = session.execute(
            sa.select(n.id).where(n.user_id == user_id, n.mailed_at.is_(None))
            .with_for_update(skip_locked=True)).scalars().all()
        if not claimed:
            session.rollback()
            return 0
        user = model.User.get(user_id)
        done = sa.update(notification).where(n.id.in_(claimed)).values(mailed_at=sa.func.now())
        if user is None or user.state != "active" or not user.email:
            session.execute(done)  # nobody to mail: not tried again
            session.commit()
            return 0
        context = {"user": user.name, "ignore_auth": True}
        pkg = model.Package
        rows = session.execute(
            sa.select(notification, pkg.name.label("package_name"),
                      pkg.title.label("package_title"))
            .outerjoin(pkg, pkg.id == n.package_id)
            .where(n.id.in_(claimed), n.read_at.is_(None), core.visible(context))
            .order_by(n.created, n.id)).all()
        # sent now, or seen in the portal already; the rest (out of sight) wait
        seen = sa.or_(n.read_at.is_not(None), n.id.in_([r.id for r in rows]))
        if rows:
            message = render(user, rows, digest)
            mailer.mail_recipient(user.display_name, user.email, message["subject"],
                                  message["body"], body_html=message["body_html"],
                                  headers=message["headers"])
        session.execute(done.where(seen))
        if rows and digest:
            session.execute(insert(settings).values(user_id=user_id, last_digest=sa.func.now())
                            .on_conflict_do_update(index_elements=[settings.c.user_id],
                                                   set_={"last_digest": sa.func.now()}))
        session.commit()
        return 1 if rows else 0
    except BaseException:
        session.rollback()
        raise


# --- what a mail says ------------------------------------------------------------

def site_url() -> str:
    return str(config.get("ckan.site_url") or "").rstrip("/")


def _secret() -> str:
    return str(config.get("SECRET_KEY") or config.get("beaker.session.secret") or "")


def unsubscribe_token(user_id: str) -> str:
    """A token that names the reader, signed with the site's secret."""
    return URLSafeSerializer(_secret(), salt=_SALT).dumps(user_id)


def unsubscribe_user(token: str) -> str | None:
    """The user id a token names, or None when it is not one of ours."""
    try:
        found = URLSafeSerializer(_secret(), salt=_SALT).loads(token)
    except BadSignature:
        return None
    return found if isinstance(found, str) else None


def unsubscribe_url(user_id: str) -> str:
    return f"{site_url()}/crowdsource/notifications/unsubscribe/{unsubscribe_token(user_id)}"


def locale_of(user_id: str) -> str:
    """The language of the reader's mail: the one they chose the portal in
    when they last saved their settings, else the site's."""
    from ckan.lib.i18n import get_locales_from_config

    found = model.Session.execute(sa.select(settings.c.locale).where(
        settings.c.user_id == user_id)).scalar()
    if found and found in get_locales_from_config():
        return found
    return str(config.get("ckan.locale_default") or "en")


def _app() -> Any:
    """The Flask app to render in: the current one, the CLI's (``ckan jobs
    worker``, ``ckan crowdsource``), or one made for the purpose."""
    import click
    import flask

    if flask.has_app_context():
        return flask.current_app._get_current_object()  # type: ignore[attr-defined]
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("flask_app") is not None:
        return ctx.meta["flask_app"]
    from ckan.config.middleware import make_app

    return make_app(config)._wsgi_app


@contextmanager
def in_language(locale: str) -> Iterator[None]:
    """Render and translate in ``locale`` (outside any reader's request)."""
    from flask_babel import force_locale

    with _app().test_request_context(environ_overrides={"CKAN_LANG": locale}), \
            force_locale(locale):
        yield


def _groups(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notifications (as ``_row_dict`` gives them) grouped by community
    (none first), then by item."""
    from ckanext.crowdsource.common.communities import names

    from .helpers import link, plain_text, text

    communities = names({n["community_id"] for n in found})
    grouped: dict[Any, dict[Any, dict[str, Any]]] = {}
    for n in found:
        community = communities.get(n["community_id"] or "", {}).get("title")
        item = n["title"] or n["package_title"] or ""
        # one item: the same title and page (a thread's posts share it)
        page = (n["link"] or "").split("#", 1)[0]
        entry = grouped.setdefault(community, {}).setdefault(
            (item, page), {"title": item, "entries": []})
        entry["entries"].append({
            "text": plain_text(n), "html": text(n),
            "link": site_url() + link(n, root="")})
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))
    return [{"community": c, "items": list(items.values())} for c, items in ordered]


def render(user: model.User, rows: list[Any], digest: str | None = None) -> dict[str, Any]:
    """The mail of these notifications to ``user``, in their language:
    ``{"subject", "body", "body_html", "headers"}``."""
    from ckanext.crowdsource.common.roles import people

    from .actions import _row_dict
    from .helpers import plain_text

    unsubscribe = unsubscribe_url(user.id)
    actors = people({r.actor_id for r in rows})
    found = [_row_dict(r, actors) for r in rows]
    with in_language(locale_of(user.id)):
        site = str(config.get("ckan.site_title") or "CKAN")
        if digest == "weekly":
            subject = toolkit._("Your weekly notifications from {site}").format(site=site)
        elif digest:
            subject = toolkit._("Your daily notifications from {site}").format(site=site)
        elif len(found) == 1:
            subject = plain_text(found[0])
        else:
            subject = toolkit._("{n} new notifications from {site}").format(
                n=len(rows), site=site)
        extra = {"groups": _groups(found), "site_title": site, "site_url": site_url(),
                 "user": user, "digest": digest, "unsubscribe_url": unsubscribe,
                 "notifications_url": site_url() + "/crowdsource/notifications",
                 "settings_url": site_url() + "/crowdsource/notifications/settings"}
        body = toolkit.render("crowdsource/notify/emails/notifications.txt", extra)
        body_html = toolkit.render("crowdsource/notify/emails/notifications.html", extra)
    return {"subject": str(subject), "body": str(body), "body_html": str(Markup(body_html)),
            "headers": {"List-Unsubscribe": f"<{unsubscribe}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}


def unsubscribe(user_id: str) -> None:
    """The reader wants no more e-mail (``email`` = ``never``); the caller
    commits."""
    model.Session.execute(insert(settings).values(user_id=user_id, email="never")
                          .on_conflict_do_update(index_elements=[settings.c.user_id],
                                                 set_={"email": "never",
                                                       "modified": sa.func.now()}))

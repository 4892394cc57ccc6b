"""The permission matrix (issue 13): every crowdsource action and page, for
every kind of caller, on a public and a private dataset, on published,
hidden and pending items, checked against DESIGN.md section 6.

The table and the mapping of each action and page to one of its rows are
data (``matrix.py``); the actions are read from the capabilities' manifests
and the pages from Flask's URL map, so a new action or page without a row is
a failing test that names it.

Each cell calls the action in-process as its caller, with auth checked:

- an allowed write succeeds and changes the database; a refused one raises
  the exact refusal ``matrix.cells`` gives it and leaves every crowdsource
  table (and the core tables a write may patch) as it was;
- an allowed read returns the item; a refused one raises, or (a list)
  answers without the item, with a ``count`` that does not count it either;
- nothing a refused caller gets back (result or error) holds the private
  dataset's title or the text of the item they may not see.

One test per capability walks all the cells of its actions and fails naming
every failing cell with its action; one test walks every page for every
caller, one every form verb. The people, organizations and datasets are
made once for the module (a fresh database, as ``clean_db`` makes it); each
cell works on an item made for its situation, which a later cell uses only
while no call has changed it (a refused write changes nothing), so cells do
not depend on each other or on their order.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.crowdsource.common import reindex
from ckanext.crowdsource.tasks.model import claim as claim_table
from ckanext.crowdsource.tests.common import catalogue
from ckanext.crowdsource.tests.helpers import log_in, log_out
from ckanext.crowdsource.tests.security import forms, matrix
from ckanext.crowdsource.tests.security.matrix import NOT_AUTHORIZED, NOT_FOUND, OMIT, SKIP, Cell
from ckanext.crowdsource.tests.security.probe import watched_tables

pytestmark = [
    # the matrix is about who may act, not how often: no rate limit, and a
    # reader may hold as many claims and give as many tags as the cells ask
    pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", "0"),
    pytest.mark.ckan_config("ckanext.crowdsource.tasks.live_claims_per_reader", "100000"),
    pytest.mark.ckan_config("ckanext.crowdsource.loans.per_reader_limit", "100000"),
    pytest.mark.ckan_config("ckanext.crowdsource.tags.per_user_limit", "100000"),
    # flags never reach the number that hides an item by themselves (a cell's
    # item stays as its cell says)
    pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", "100000"),
    # the author proposes a community for every cell about a proposal
    pytest.mark.ckan_config("ckanext.crowdsource.community.proposals_per_reader", "100000"),
]

PRIVATE_TITLE = "Zanzibar Staff Rota"  # the private dataset's title: never shown to outsiders
PREMODERATION = "ckanext.crowdsource.discussion.premoderation_posts"
TALLY: Counter[str] = Counter()


# --- the world ------------------------------------------------------------------------

@dataclass
class World:
    """The people, organizations and datasets every cell uses."""

    users: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]]
    org: dict[str, Any]
    communities: dict[str, dict[str, Any]]
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.serial)}"

    def dataset_id(self, dataset: str) -> str:
        return self.datasets["public" if dataset == "site" else dataset]["id"]

    def author(self, dataset: str) -> dict[str, Any]:
        """Who writes the items a cell is about: a plain reader on the public
        dataset, a plain member of its organization on the private one."""
        return self.users["member_author" if dataset == "private" else "author"]

    def witness(self, dataset: str) -> dict[str, Any]:
        """A third person who can see the dataset (answers, flags, seconds)."""
        return self.users["helper_member" if dataset == "private" else "helper"]

    def actor(self, cell: Cell) -> dict[str, Any] | None:
        if cell.role == "anonymous":
            return None
        if cell.role == "author":
            return self.author(cell.dataset)
        return self.users[cell.role]

    def owner(self, cell: Cell) -> dict[str, Any]:
        """Who wrote the cell's item: the author, or the caller themselves
        (the variants about one's own item)."""
        if matrix.ACTIONS[cell.action].variants[cell.variant].own:
            actor = self.actor(cell)
            assert actor is not None
            return actor
        return self.author(cell.dataset)


def build_world() -> World:
    org, other_org = factories.Organization(), factories.Organization()
    users = {name: factories.User() for name in (
        "reader", "author", "member_author", "other_editor", "member", "editor", "admin",
        "helper", "helper_member")}
    users["sysadmin"] = factories.Sysadmin()
    for name, group, role in (
            ("member_author", org, "member"), ("member", org, "member"),
            ("helper_member", org, "member"), ("editor", org, "editor"),
            ("admin", org, "admin"), ("other_editor", other_org, "editor")):
        helpers.call_action("organization_member_create", id=group["id"],
                            username=users[name]["name"], role=role)
    datasets = {
        "public": factories.Dataset(owner_org=org["id"], title="City Maps"),
        "private": factories.Dataset(owner_org=org["id"], private=True, title=PRIVATE_TITLE),
    }
    return World(users, datasets, org, build_communities(users))


def build_communities(users: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The communities tasks and questions are meant for: one per dataset
    with every user of the world a plain member (its tasks and questions
    are everyone's, as if they had none); ``outsider``, with no member at
    all; ``moderated``, owned by the helper, with the reader, the member
    and the other organization's editor its moderators (none of them staff
    of the datasets' organization) and the authors, who claim its tasks,
    plain members."""
    sysadmin = {"user": users["sysadmin"]["name"]}

    def made(name: str, owner: str | None = None) -> dict[str, Any]:
        data = {"name": name, "title": name, **({"owner": users[owner]["name"]} if owner else {})}
        return helpers.call_action("crowdsource_community_create", context=dict(sysadmin), **data)

    out = {}
    for dataset in matrix.DATASETS:
        out[dataset] = made(f"everyone-{dataset}")
        for who in users:
            if who != "sysadmin":
                helpers.call_action("crowdsource_community_join",
                                    context={"user": users[who]["name"]}, id=out[dataset]["id"])
    out["outsider"] = made("outsiders")
    out["moderated"] = made("moderated", owner="helper")
    for who in ("author", "member_author", *matrix.COMMUNITY_MODERATORS):
        helpers.call_action("crowdsource_community_join", context={"user": users[who]["name"]},
                            id=out["moderated"]["id"])
    for who in matrix.COMMUNITY_MODERATORS:
        helpers.call_action("crowdsource_community_member_set_role",
                            context={"user": users["helper"]["name"]}, id=out["moderated"]["id"],
                            user_id=users[who]["name"], role="moderator")
    return out


_WORLD: list[World] = []


@pytest.fixture
def matrix_world(request: pytest.FixtureRequest, with_plugins: None) -> World:
    """The module's world, made once on a fresh database (again if a test of
    another module reset the database in between)."""
    if not _WORLD or model.Group.get(_WORLD[0].org["id"]) is None:
        request.getfixturevalue("clean_db")
        _WORLD[:] = [build_world()]
    return _WORLD[0]


# --- calls ---------------------------------------------------------------------------

def call(user: dict[str, Any] | None, action: str, **data: Any) -> Any:
    """The action as ``user`` (None: anonymous), auth checked."""
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)


def make(user: dict[str, Any] | None, action: str, **data: Any) -> Any:
    """The action as ``user``, to prepare a cell: committed at once, its
    datasets left queued for reindexing (``defer_commit``, as a caller that
    commits itself), so that the preparations of many cells cost one rebuild
    of the dataset's index entry, at the next write that drains the queue."""
    context = {"user": user["name"] if user else "", "ignore_auth": False,
               "defer_commit": True}
    try:
        result = helpers.call_action(action, context=context, **data)
    except Exception:
        model.Session.rollback()
        raise
    model.Session.commit()
    return result


def indexed() -> None:
    """Every queued dataset reindexed, for the cells that read the index."""
    reindex.drain(everything=True)


@contextlib.contextmanager
def premoderation() -> Iterator[None]:
    """Posts of readers written inside wait for approval."""
    before = toolkit.config.get(PREMODERATION)
    toolkit.config[PREMODERATION] = 10 ** 6
    try:
        yield
    finally:
        toolkit.config[PREMODERATION] = before


def staff(w: World) -> dict[str, Any]:
    return w.users["editor"]


# --- items, made in the state a cell asks for ------------------------------------------

def post(w: World, dataset: str, state: str = "published", by: dict | None = None,
         **where: Any) -> dict[str, Any]:
    """A comment (or, with ``where``, a reply or an answer) in ``state``."""
    secret = w.unique("Secret post ")
    place = where or {"package_id": w.dataset_id(dataset)}
    with premoderation() if state == "pending" else contextlib.nullcontext():
        made = make(by or w.author(dataset), "crowdsource_post_create", body=secret, **place)
    assert made["state"] == ("pending" if state == "pending" else "published"), made
    if state == "hidden":
        make(staff(w), "crowdsource_moderation_decide", item_type="post", item_id=made["id"],
             decision="hide", reason="test")
    return {**made, "secret": secret}


def question(w: World, dataset: str, state: str = "published",
             by: dict | None = None, **data: Any) -> dict[str, Any]:
    """A question's thread (its question post is ``question``) in ``state``
    (``data``: more of its fields, such as its community)."""
    secret = w.unique("Secret question ")
    with premoderation() if state == "pending" else contextlib.nullcontext():
        made = make(by or w.author(dataset), "crowdsource_question_create",
                    package_id=w.dataset_id(dataset), title=secret, body=secret, **data)
    if state == "hidden":
        make(staff(w), "crowdsource_moderation_decide", item_type="post",
             item_id=made["question"]["id"], decision="hide", reason="test")
    return {**made, "secret": secret}


def tag(w: World, dataset: str, state: str = "published", by: dict | None = None,
        prefix: str = "t") -> str:
    """A reader tag given to the dataset, in ``state`` (published or hidden)."""
    name = w.unique(f"{prefix}-secret-")
    make(by or w.author(dataset), "crowdsource_tag_add", package_id=w.dataset_id(dataset),
         tag=name)
    if state == "hidden":
        make(staff(w), "crowdsource_tag_hide", package_id=w.dataset_id(dataset), tag=name)
    return name


def feedback(w: World, dataset: str, kind: str = "error", state: str = "published",
             by: dict | None = None) -> dict[str, Any]:
    """Feedback about the dataset (a request is public unless ``hidden``)."""
    secret = w.unique("Secret feedback ")
    made = make(by or w.author(dataset), "crowdsource_feedback_create", kind=kind,
                title=secret, body=secret, rating=3, package_id=w.dataset_id(dataset))
    if state == "hidden":
        make(staff(w), "crowdsource_moderation_decide", item_type="request",
             item_id=made["id"], decision="hide", reason="test")
    return {**made, "secret": secret}


def task(w: World, dataset: str, **data: Any) -> dict[str, Any]:
    secret = w.unique("Secret task ")
    made = make(staff(w), "crowdsource_task_create", **{
        "package_id": w.dataset_id(dataset), "kind": "describe", "title": secret,
        "capacity": 3, **data})
    return {**made, "secret": secret}


def claim(w: World, dataset: str, state: str = "claimed",
          by: dict | None = None, **task_data: Any) -> dict[str, Any]:
    """A claim on a fresh task (of ``task_data``), ``claimed``, ``submitted``
    or ``accepted`` (``task_secret``: its task's title)."""
    reader = by or w.author(dataset)
    posted = task(w, dataset, **task_data)
    made = make(reader, "crowdsource_task_claim", id=posted["id"])
    if state in ("submitted", "accepted"):
        make(reader, "crowdsource_claim_submit", id=made["id"],
             result={"text": w.unique("Secret result ")})
    if state == "accepted":
        make(w.users["admin"], "crowdsource_claim_review", id=made["id"], decision="accept")
    return {**made, "task_secret": posted["secret"]}


def expired_claim(w: World, dataset: str) -> dict[str, Any]:
    made = claim(w, dataset)
    model.Session.execute(sa.update(claim_table).where(claim_table.c.id == made["id"]).values(
        expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    model.Session.commit()
    return made


def community(w: World, state: str = "published", **data: Any) -> dict[str, Any]:
    """A community: ``published``, active and owned by the author (with
    ``data`` given to its creation); ``pending``, the author's proposal."""
    secret = w.unique("Secret community ")
    name = w.unique("community-")
    if state == "pending":
        made = make(w.users["author"], "crowdsource_community_propose", name=name, title=secret)
    else:
        made = make(w.users["sysadmin"], "crowdsource_community_create", name=name,
                    title=secret, owner=w.users["author"]["name"], **data)
    assert made["status"] == ("proposed" if state == "pending" else "active"), made
    return {**made, "secret": secret}


def joined(w: World, made: dict[str, Any], *roles: str) -> dict[str, Any]:
    """The community with these of the world's users joined (or asking to)."""
    for role in roles:
        make(w.users[role], "crowdsource_community_join", id=made["id"])
    return made


# --- what a cell calls, and how its answer is read -------------------------------------

@dataclass
class Probe:
    """The call of one cell (or of a group of read cells) and its checks."""

    data: dict[str, Any]
    # reads: whether the answer holds the item; lists are read page by page
    present: Callable[[Any], bool] | None = None
    paged: bool = False  # a list with limit and offset: every page is read
    done: Callable[[Any], bool] | None = None  # writes: the answer of a success
    skipped: Callable[[Any, Cell], bool] | None = None  # a bulk write skipped the dataset
    secret: str = ""  # text of the item: never in what a refused caller gets
    leak: Callable[[Any, Cell], str] | None = None  # another check of an allowed answer
    used: bool = False  # a call went through: the next write cell needs a new item
    task_id: str = ""  # a claim's task (its forms name it)


def ids(result: dict[str, Any], key: str = "id") -> list[Any]:
    return [r.get(key) for r in result["results"]]


def _pkg(w: World, c: Cell) -> str:
    return w.dataset_id(c.dataset)


def _post_states(w: World, c: Cell) -> dict[str, Any]:
    return post(w, c.dataset, c.state, by=w.owner(c))


def _decision(state: str) -> str:
    return {"published": "hide", "hidden": "restore", "pending": "approve"}[state]


def _moderation_item(w: World, c: Cell) -> tuple[dict[str, str], str]:
    """The cell's item for the moderation core, and its text."""
    if c.variant == "tag":
        name = tag(w, c.dataset, c.state)
        return {"item_type": "tag", "item_id": f"{_pkg(w, c)}:{name}"}, name
    if c.variant == "request":
        item = feedback(w, c.dataset, "request", c.state)
        return {"item_type": "request", "item_id": item["id"]}, item["secret"]
    item = post(w, c.dataset, c.state)
    return {"item_type": "post", "item_id": item["id"]}, item["secret"]


def setup_tag_add(w: World, c: Cell) -> Probe:
    return Probe({"package_id": _pkg(w, c), "tag": w.unique("add-")})


def setup_tag_remove(w: World, c: Cell) -> Probe:
    name = tag(w, c.dataset, by=w.owner(c))
    return Probe({"package_id": _pkg(w, c), "tag": name})


def setup_tag_list(w: World, c: Cell) -> Probe:
    name = tag(w, c.dataset, c.state)
    return Probe({"package_id": _pkg(w, c)}, lambda r: name in ids(r, "tag"), paged=True,
                 secret=name)


def setup_tag_cloud(w: World, c: Cell) -> Probe:
    # "aaa": the cloud lists the 100 most used tags, each of them used once here;
    # ties are in alphabetical order, so this one is among them
    name = tag(w, c.dataset, prefix="aaa")
    indexed()
    return Probe({"limit": 100}, lambda r: name in ids(r, "tag"), secret=name)


def setup_tag_datasets(w: World, c: Cell) -> Probe:
    name = tag(w, c.dataset)
    indexed()
    return Probe({"tag": name}, lambda r: _pkg(w, c) in ids(r), paged=True,
                 secret=PRIVATE_TITLE)


def _tag_moderated(state: str) -> Callable[[World, Cell], Probe]:
    def setup(w: World, c: Cell) -> Probe:
        name = tag(w, c.dataset, state)
        return Probe({"package_id": _pkg(w, c), "tag": name}, secret=name)
    return setup


def setup_tag_block(w: World, c: Cell) -> Probe:
    return Probe({"tag": tag(w, "public")})


def setup_tag_unblock(w: World, c: Cell) -> Probe:
    name = tag(w, "public")
    make(w.users["sysadmin"], "crowdsource_tag_block", tag=name)
    return Probe({"tag": name})


def setup_tag_block_list(w: World, c: Cell) -> Probe:
    name = w.unique("blocked-")
    make(w.users["sysadmin"], "crowdsource_tag_block", tag=name)
    return Probe({}, lambda r: name in ids(r, "tag"), paged=True)


def setup_flag_create(w: World, c: Cell) -> Probe:
    item, secret = _moderation_item(w, c)
    return Probe({**item, "reason": "spam"}, secret=secret)


def setup_flag_review(w: World, c: Cell) -> Probe:
    item, secret = _moderation_item(w, c)
    make(w.witness(c.dataset), "crowdsource_flag_create", reason="spam", **item)
    return Probe({**item, "decision": "uphold"}, secret=secret)


def setup_moderation_decide(w: World, c: Cell) -> Probe:
    item, secret = _moderation_item(w, c)
    return Probe({**item, "decision": _decision(c.state)}, secret=secret)


def setup_moderation_list(w: World, c: Cell) -> Probe:
    item = post(w, c.dataset, c.state)
    return Probe({"item_type": "post", "status": c.state},
                 lambda r: item["id"] in ids(r, "item_id"), paged=True, secret=item["secret"])


def setup_moderation_log_list(w: World, c: Cell) -> Probe:
    item = post(w, c.dataset, "hidden")
    return Probe({"item_type": "post"}, lambda r: item["id"] in ids(r, "item_id"),
                 paged=True, secret=item["secret"])


def setup_post_create(w: World, c: Cell) -> Probe:
    body = w.unique("New post ")
    if c.variant == "reply":
        parent = post(w, c.dataset, c.state)
        return Probe({"parent_id": parent["id"], "body": body}, secret=parent["secret"])
    if c.variant == "answer":
        asked = question(w, c.dataset, c.state)
        return Probe({"thread_id": asked["id"], "body": body}, secret=asked["secret"])
    return Probe({"package_id": _pkg(w, c), "body": body})


def setup_post_show(w: World, c: Cell) -> Probe:
    item = post(w, c.dataset, c.state)
    return Probe({"id": item["id"]}, lambda r: r["id"] == item["id"]
                 and r["body"] == item["secret"], secret=item["secret"])


def setup_post_update(w: World, c: Cell) -> Probe:
    item = _post_states(w, c)
    return Probe({"id": item["id"], "body": w.unique("Changed ")}, secret=item["secret"])


def setup_post_delete(w: World, c: Cell) -> Probe:
    item = _post_states(w, c)
    return Probe({"id": item["id"], "reason": "test"}, secret=item["secret"])


def setup_post_history(w: World, c: Cell) -> Probe:
    item = post(w, c.dataset)
    make(w.author(c.dataset), "crowdsource_post_update", id=item["id"], body="edited")
    return Probe({"id": item["id"]}, lambda r: r["count"] == 1 and
                 r["results"][0]["body"] == item["secret"], secret=item["secret"])


def setup_post_vote(w: World, c: Cell) -> Probe:
    return Probe({"id": post(w, c.dataset)["id"], "vote": 1})


def setup_thread_show(w: World, c: Cell) -> Probe:
    if c.variant == "question":
        asked = question(w, c.dataset, c.state)
        return Probe({"id": asked["id"]}, lambda r: r["id"] == asked["id"]
                     and r["question"]["body"] == asked["secret"], secret=asked["secret"])
    item = post(w, c.dataset, c.state)
    return Probe({"package_id": _pkg(w, c), "limit": 100},
                 lambda r: any(p["id"] == item["id"] and p["body"] == item["secret"]
                               for p in r["posts"]), secret=item["secret"])


def setup_thread_list(w: World, c: Cell) -> Probe:
    asked = question(w, c.dataset, c.state)
    return Probe({"package_id": _pkg(w, c)}, lambda r: asked["id"] in ids(r), paged=True,
                 secret=asked["secret"])


def _community_of(w: World, c: Cell) -> dict[str, Any]:
    """The cell's community: for variant ``outsider`` the one nobody is a
    member of, for ``community`` the dataset's, which everyone is in."""
    return {"community_id": w.communities[
        "outsider" if c.variant == "outsider" else c.dataset]["id"]} \
        if c.variant in ("community", "outsider") else {}


def setup_question_create(w: World, c: Cell) -> Probe:
    return Probe({"package_id": _pkg(w, c), "title": "Which scale?", "body": "?",
                  **_community_of(w, c)})


def setup_question_list(w: World, c: Cell) -> Probe:
    asked = question(w, c.dataset, c.state, **_community_of(w, c))
    data = {"package_id": _pkg(w, c)} if c.variant == "dataset" else _community_of(w, c)
    return Probe(data, lambda r: asked["id"] in ids(r), paged=True, secret=asked["secret"])


def setup_question_close(w: World, c: Cell) -> Probe:
    asked = question(w, c.dataset)
    return Probe({"id": asked["id"], "reason": "test"}, secret=asked["secret"])


def setup_question_reopen(w: World, c: Cell) -> Probe:
    asked = question(w, c.dataset)
    make(staff(w), "crowdsource_question_close", id=asked["id"])
    return Probe({"id": asked["id"]}, secret=asked["secret"])


def setup_answer_accept(w: World, c: Cell) -> Probe:
    asked = question(w, c.dataset)
    answer = post(w, c.dataset, by=w.witness(c.dataset), thread_id=asked["id"])
    return Probe({"id": answer["id"]}, secret=answer["secret"])


def setup_answer_verify(w: World, c: Cell) -> Probe:
    asked = question(w, c.dataset, by=w.witness(c.dataset))
    answer = post(w, c.dataset, thread_id=asked["id"])
    return Probe({"id": answer["id"]}, secret=answer["secret"])


def setup_task_create(w: World, c: Cell) -> Probe:
    return Probe({"package_id": _pkg(w, c), "kind": "other", "title": w.unique("Task ")})


def setup_task_create_bulk(w: World, c: Cell) -> Probe:
    ds = _pkg(w, c)
    missing = toolkit._("Dataset not found")

    def skipped(r: Any, cell: Cell) -> bool:
        """Skipped, and a dataset the caller cannot see as if it did not exist."""
        return r["count"] == 0 and ids(r) == [] and [s["id"] for s in r["skipped"]] == [ds] \
            and (cell.refusal != "private" or r["skipped"][0]["reason"] == missing)

    return Probe({"package_ids": [ds], "kind": "verify", "title": w.unique("Bulk ")},
                 done=lambda r: r["count"] == 1, skipped=skipped)


def setup_task_update(w: World, c: Cell) -> Probe:
    made = task(w, c.dataset)
    return Probe({"id": made["id"], "title": w.unique("Changed ")}, secret=made["secret"])


def setup_task_cancel(w: World, c: Cell) -> Probe:
    made = task(w, c.dataset)
    return Probe({"id": made["id"], "reason": "test"}, secret=made["secret"])


def _claims_only_to_staff(result: Any, c: Cell) -> str:
    if ("claims" in result) != (c.role in matrix.STAFF):
        return f"'claims' {'missing' if c.role in matrix.STAFF else 'shown'}"
    return ""


def setup_task_show(w: World, c: Cell) -> Probe:
    made = task(w, c.dataset)
    make(w.author(c.dataset), "crowdsource_task_claim", id=made["id"])
    return Probe({"id": made["id"]}, lambda r: r["id"] == made["id"], secret=made["secret"],
                 leak=_claims_only_to_staff)


def setup_task_list(w: World, c: Cell) -> Probe:
    made = task(w, c.dataset)
    data = {"package_id": _pkg(w, c)} if c.variant == "dataset" else {}
    return Probe(data, lambda r: made["id"] in ids(r), paged=True, secret=made["secret"])


def setup_task_next(w: World, c: Cell) -> Probe:
    # tasks meant for a community of the cell's dataset alone: what it offers
    # is on it; variant "outsider": for a community none of the callers is in
    community = w.communities["outsider" if c.variant == "outsider" else c.dataset]["id"]
    made = task(w, c.dataset, community_id=community, capacity=20)
    return Probe({"community_id": community},
                 done=lambda r: r["task"]["package_id"] == _pkg(w, c), secret=made["secret"])


def setup_task_claim(w: World, c: Cell) -> Probe:
    made = task(w, c.dataset, capacity=len(matrix.ROLES), **_community_of(w, c))
    return Probe({"id": made["id"]}, secret=made["secret"], task_id=made["id"])


def _reviewed_by_community(w: World, c: Cell) -> dict[str, Any]:
    """Variant ``community``: the task is meant for the community the cell's
    readers moderate, and lets its moderators review."""
    if c.variant != "community":
        return {}
    return {"community_id": w.communities["moderated"]["id"], "community_review": True}


def _claim_setup(**data: Any) -> Callable[[World, Cell], Probe]:
    def setup(w: World, c: Cell) -> Probe:
        made = claim(w, c.dataset)
        return Probe({"id": made["id"], **data}, task_id=made["task_id"])
    return setup


def setup_claim_review(w: World, c: Cell) -> Probe:
    made = claim(w, c.dataset, "submitted", by=w.owner(c), **_reviewed_by_community(w, c))
    return Probe({"id": made["id"], "decision": "accept"}, task_id=made["task_id"])


def setup_claim_apply(w: World, c: Cell) -> Probe:
    made = claim(w, c.dataset, "accepted", **_reviewed_by_community(w, c))
    return Probe({"id": made["id"]}, task_id=made["task_id"])


def setup_claim_show(w: World, c: Cell) -> Probe:
    made = claim(w, c.dataset, **_reviewed_by_community(w, c))
    return Probe({"id": made["id"]}, lambda r: r["id"] == made["id"])


def setup_claim_list(w: World, c: Cell) -> Probe:
    if c.variant == "review":
        made = claim(w, c.dataset, "submitted")
        return Probe({"review": True}, lambda r: made["id"] in ids(r), paged=True)
    if c.variant == "community_review":
        moderated = w.communities["moderated"]["id"]
        made = claim(w, c.dataset, "submitted", community_id=moderated, community_review=True)
        return Probe({"review": True, "community_id": moderated},
                     lambda r: made["id"] in ids(r), paged=True)
    made = claim(w, c.dataset)
    return Probe({"task_id": made["task_id"]}, lambda r: made["id"] in ids(r), paged=True)


def setup_claims_expire(w: World, c: Cell) -> Probe:
    made = expired_claim(w, "public")
    return Probe({}, done=lambda r: made["id"] in ids(r))


def setup_feedback_create(w: World, c: Cell) -> Probe:
    return Probe({"package_id": _pkg(w, c), "kind": "suggestion", "body": "More maps"})


def _rating_private(result: Any, c: Cell) -> str:
    full = c.role in matrix.STAFF or c.role == "author"
    if ("rating" in result) != full or ("messages" in result) != full:
        return "the rating or the conversation " + ("missing" if full else "shown")
    return ""


def setup_feedback_show(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset, c.variant, c.state)
    return Probe({"id": item["id"]}, lambda r: r["id"] == item["id"], secret=item["secret"],
                 leak=_rating_private)


def setup_feedback_list(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset)
    data = {"mine": True} if c.variant == "mine" else {"package_id": _pkg(w, c)}
    return Probe(data, lambda r: item["id"] in ids(r), paged=True, secret=item["secret"])


def setup_feedback_summary(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset)
    return Probe({"package_id": _pkg(w, c)}, lambda r: r["count"] > 0 and r["by_status"],
                 secret=item["secret"])


def setup_feedback_export(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset)
    return Probe({"format": "json", "package_id": _pkg(w, c)},
                 lambda r: item["id"] in [row["id"] for row in r["data"]],
                 secret=item["secret"])


def setup_feedback_reply(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset, c.variant)
    return Probe({"id": item["id"], "body": "Thank you"}, secret=item["secret"])


def setup_feedback_set_status(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset, c.variant)
    return Probe({"id": item["id"], "status": "acknowledged"}, secret=item["secret"])


def setup_feedback_set_status_bulk(w: World, c: Cell) -> Probe:
    first, second = feedback(w, c.dataset), feedback(w, c.dataset)
    return Probe({"ids": [first["id"], second["id"]], "status": "acknowledged"},
                 secret=first["secret"])


def setup_share_record(w: World, c: Cell) -> Probe:
    return Probe({"item_type": "dataset", "id": _pkg(w, c), "channel": "weibo"},
                 done=lambda r: r["count"] >= 1 and r["url"].endswith("?src=wb"))


def setup_request_second(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset, "request", c.state)
    return Probe({"id": item["id"]}, secret=item["secret"])


def setup_request_list(w: World, c: Cell) -> Probe:
    item = feedback(w, c.dataset, "request", c.state)
    return Probe({}, lambda r: item["id"] in ids(r), paged=True, secret=item["secret"])


def setup_rating_summary(w: World, c: Cell) -> Probe:
    return Probe({"package_id": _pkg(w, c)}, lambda r: "average" in r and "count" in r)


def setup_community_propose(w: World, c: Cell) -> Probe:
    return Probe({"name": w.unique("proposed-"), "title": "Rare books"})


def setup_community_create(w: World, c: Cell) -> Probe:
    return Probe({"name": w.unique("created-"), "title": "Rare books"})


def setup_community_review(w: World, c: Cell) -> Probe:
    made = community(w, c.state)
    return Probe({"id": made["id"], "decision": "approve"}, secret=made["secret"])


def setup_community_update(w: World, c: Cell) -> Probe:
    made = community(w, c.state)
    return Probe({"id": made["id"], "title": "Local history"}, secret=made["secret"])


def setup_community_show(w: World, c: Cell) -> Probe:
    made = community(w, c.state)
    return Probe({"id": made["id"]}, lambda r: r["id"] == made["id"], secret=made["secret"])


def setup_community_list(w: World, c: Cell) -> Probe:
    made = community(w, c.state)
    data = {"q": made["name"], **({"status": "proposed"} if c.variant == "proposed" else {})}
    return Probe(data, lambda r: made["id"] in ids(r), paged=True, secret=made["secret"])


def setup_community_join(w: World, c: Cell) -> Probe:
    return Probe({"id": community(w)["id"]})


def setup_community_leave(w: World, c: Cell) -> Probe:
    made = joined(w, community(w), *(r for r in matrix.NOT_AUTHOR if r != "anonymous"))
    return Probe({"id": made["id"]})


def setup_community_member_list(w: World, c: Cell) -> Probe:
    if c.variant == "waiting":
        made = joined(w, community(w, join_policy="request"), "helper")
        data = {"id": made["id"], "state": "pending"}
    else:
        made = joined(w, community(w), "helper")
        data = {"id": made["id"]}
    helper = w.users["helper"]["name"]
    return Probe(data, lambda r: helper in ids(r, "user"), paged=True)


def setup_community_member_set_role(w: World, c: Cell) -> Probe:
    made = joined(w, community(w), "helper")
    return Probe({"id": made["id"], "user_id": w.users["helper"]["name"], "role": "moderator"})


def setup_community_member_request_review(w: World, c: Cell) -> Probe:
    made = joined(w, community(w, join_policy="request"), "helper")
    return Probe({"id": made["id"], "user_id": w.users["helper"]["name"],
                  "decision": "approve"})


def _profile(w: World, c: Cell, owner: dict[str, Any]) -> None:
    """The owner's points public, or private in the cell's variant 'private'."""
    make(owner, "crowdsource_recognition_settings_update",
         public_profile=c.variant != "private")


def setup_points_list(w: World, c: Cell) -> Probe:
    author = w.author(c.dataset)
    asked = question(w, c.dataset, by=w.witness(c.dataset))
    answer = make(author, "crowdsource_post_create", thread_id=asked["id"], body="Sheet 4")
    make(w.witness(c.dataset), "crowdsource_answer_accept", id=answer["id"])
    _profile(w, c, author)
    return Probe({"user_id": author["id"]}, lambda r: answer["id"] in ids(r, "item_id"),
                 paged=True)


def setup_points_recent(w: World, c: Cell) -> Probe:
    asked = question(w, "public", by=w.witness("public"))
    answer = make(w.author("public"), "crowdsource_post_create", thread_id=asked["id"],
                  body="Sheet 4")
    make(w.witness("public"), "crowdsource_answer_accept", id=answer["id"])
    make(w.author("public"), "crowdsource_recognition_settings_update", public_profile=True)
    return Probe({}, lambda r: answer["id"] in ids(r, "item_id"), paged=True)


def setup_points_summary(w: World, c: Cell) -> Probe:
    author = w.author(c.dataset)
    make(w.users["sysadmin"], "crowdsource_points_grant", user_id=author["id"], points=3,
         note="Thanks")
    _profile(w, c, author)
    return Probe({"user_id": author["name"]}, lambda r: r["by_reason"].get("grant", 0) > 0)


def setup_leaderboard(w: World, c: Cell) -> Probe:
    author = w.author(c.dataset)
    make(w.users["sysadmin"], "crowdsource_points_grant", user_id=author["id"], points=3,
         note="Thanks")
    make(author, "crowdsource_recognition_settings_update", leaderboards=True)
    return Probe({}, lambda r: author["name"] in ids(r, "user"), paged=True)


def setup_contribution_list(w: World, c: Cell) -> Probe:
    author = w.author(c.dataset)
    asked = question(w, c.dataset, by=w.witness(c.dataset))
    answer = make(author, "crowdsource_post_create", thread_id=asked["id"], body="Sheet 4")
    _profile(w, c, author)
    return Probe({"user_id": author["id"], "kind": "answer"},
                 lambda r: answer["id"] in ids(r, "item_id"), secret=asked["secret"])


def setup_contribution_summary(w: World, c: Cell) -> Probe:
    author = w.author("public")
    tag(w, "public", by=author)
    _profile(w, c, author)
    return Probe({"user_id": author["name"]}, lambda r: r["by_kind"].get("tag", 0) > 0)


def setup_badge_list(w: World, c: Cell) -> Probe:
    author = w.author("public")
    tag(w, "public", by=author)
    _profile(w, c, author)
    if c.variant == "holders":
        return Probe({"badge": "first_tag"}, lambda r: author["name"] in ids(r, "user"),
                     paged=True)
    return Probe({"user_id": author["name"]}, lambda r: "first_tag" in ids(r, "badge"),
                 paged=True)


def setup_recognition_settings_show(w: World, c: Cell) -> Probe:
    owner = w.owner(c)
    return Probe({"user_id": owner["id"]}, lambda r: r["user"] == owner["name"])


def setup_recognition_settings_update(w: World, c: Cell) -> Probe:
    return Probe({"user_id": w.owner(c)["name"], "leaderboards": False})


def setup_points_grant(w: World, c: Cell) -> Probe:
    return Probe({"user_id": w.users["helper"]["id"], "points": 2, "note": "Thanks"})


def notification(w: World, dataset: str, user: dict[str, Any]) -> dict[str, str]:
    """A new unread notification of ``user`` about the dataset (as a reply
    to their post writes it), with a unique title: its id and that title."""
    import uuid

    from ckanext.crowdsource.notify.model import notification as table

    secret = w.unique("Notice")
    nid = str(uuid.uuid4())
    model.Session.execute(sa.insert(table).values(
        id=nid, user_id=user["id"], actor_id=w.witness(dataset)["id"], kind="reply",
        item_type="post", item_id=str(uuid.uuid4()), package_id=w.dataset_id(dataset),
        title=secret, link="/dataset"))
    model.Session.commit()
    return {"id": nid, "secret": secret}


def setup_notification_list(w: World, c: Cell) -> Probe:
    made = notification(w, c.dataset, w.owner(c))
    return Probe({"unread": True}, lambda r: made["id"] in ids(r), paged=True,
                 secret=made["secret"])


def setup_notification_count(w: World, c: Cell) -> Probe:
    from ckanext.crowdsource.notify.model import notification as table

    actor = w.actor(c)
    if actor is None:
        return Probe({}, lambda r: False)
    # the other capabilities' cells leave the caller many unread ones (the
    # count stops at 99): read, so that the new one is the only one counted
    model.Session.execute(sa.update(table).where(table.c.user_id == actor["id"])
                          .values(read_at=sa.func.now()))
    model.Session.commit()
    notification(w, c.dataset, actor)
    return Probe({}, lambda r: r["count"] == 1)


def setup_notification_mark_read(w: World, c: Cell) -> Probe:
    made = notification(w, c.dataset, w.owner(c))
    return Probe({"ids": [made["id"]]}, done=lambda r: r["marked"] == 1, secret=made["secret"])


def setup_notify_settings_show(w: World, c: Cell) -> Probe:
    owner = w.owner(c)
    return Probe({"user_id": owner["id"]}, lambda r: r["user"] == owner["name"])


def setup_notify_settings_update(w: World, c: Cell) -> Probe:
    return Probe({"user_id": w.owner(c)["name"], "email": "weekly"})


def _unsubscribe_token(author: dict[str, Any]) -> str:
    """The token of the author's unsubscribe link; their e-mail on again
    (daily), so that stopping it is a change."""
    from ckanext.crowdsource.notify import mail
    from ckanext.crowdsource.notify.model import settings

    model.Session.execute(sa.delete(settings).where(settings.c.user_id == author["id"]))
    model.Session.commit()
    return mail.unsubscribe_token(author["id"])


def setup_notify_unsubscribe(w: World, c: Cell) -> Probe:
    return Probe({"token": _unsubscribe_token(w.author(c.dataset))},
                 done=lambda r: r["email"] == "never")


def setup_follow(w: World, c: Cell) -> Probe:
    return Probe({"object_type": "dataset", "object_id": _pkg(w, c),
                  "level": ["all", "direct"][next(w.serial) % 2]})


def _followed(w: World, c: Cell) -> dict[str, Any]:
    """The owner's follow of a new question on the public dataset."""
    from ckanext.crowdsource.notify import core as notify

    asked = question(w, "public")
    notify.set_follow(w.owner(c)["id"], "question", asked["id"], keep=False)
    model.Session.commit()
    return {"object_type": "question", "object_id": asked["id"]}


def setup_unfollow(w: World, c: Cell) -> Probe:
    return Probe(_followed(w, c))


def setup_follow_list(w: World, c: Cell) -> Probe:
    followed = _followed(w, c)
    return Probe({"object_type": "question"},
                 lambda r: followed["object_id"] in ids(r, "object_id"), paged=True)
# --- loans: each cell's own lendable dataset (private, of the organization) -------------

def lendable(w: World, **settings: Any) -> dict[str, Any]:
    """A new private dataset of the organization, made lendable (``secret``:
    its title)."""
    secret = w.unique("Lendable ")
    ds = factories.Dataset(owner_org=w.org["id"], private=True, title=secret,
                           resources=[{"url": "http://example.org/rare.pdf"}])
    make(staff(w), "crowdsource_lendable_set", package_id=ds["id"], **settings)
    return {**ds, "secret": secret}


def loan(w: World, by: dict[str, Any] | None = None, **settings: Any) -> dict[str, Any]:
    """A loan of a new lendable dataset, by the author unless ``by``."""
    ds = lendable(w, **settings)
    made = make(by or w.author("site"), "crowdsource_loan_request", package_id=ds["id"])
    return {**made, "secret": ds["secret"]}


def setup_lendable_set(w: World, c: Cell) -> Probe:
    ds = factories.Dataset(owner_org=w.org["id"], private=True)
    return Probe({"package_id": ds["id"], "copies": 2})


def setup_lendable_show(w: World, c: Cell) -> Probe:
    ds = lendable(w)
    return Probe({"package_id": ds["id"]}, lambda r: r["title"] == ds["secret"])


def setup_lendable_list(w: World, c: Cell) -> Probe:
    ds = lendable(w)
    return Probe({}, lambda r: ds["id"] in ids(r, "package_id"), paged=True)


def setup_loan_request(w: World, c: Cell) -> Probe:
    if c.variant == "outsider":
        ds = lendable(w, copies=0, eligibility="communities",
                      community_ids=[w.communities["outsider"]["id"]])
    else:
        ds = lendable(w, copies=0)
    return Probe({"package_id": ds["id"]})


def _loan_setup(**data: Any) -> Callable[[World, Cell], Probe]:
    def setup(w: World, c: Cell) -> Probe:
        made = loan(w, needs_approval=True) if c.action in (
            "crowdsource_loan_approve", "crowdsource_loan_decline") else loan(w)
        return Probe({"id": made["id"], **data})
    return setup


def setup_loan_show(w: World, c: Cell) -> Probe:
    made = loan(w)
    return Probe({"id": made["id"]}, lambda r: r["id"] == made["id"])


def _queued(w: World) -> dict[str, Any]:
    """The author's place in the queue of a new lendable dataset of one copy."""
    ds = lendable(w)
    make(w.users["helper"], "crowdsource_loan_request", package_id=ds["id"])
    return make(w.author("site"), "crowdsource_loan_request", package_id=ds["id"])


def setup_reservation_cancel(w: World, c: Cell) -> Probe:
    return Probe({"id": _queued(w)["id"]})


def _list_setup(made: Callable[[World], dict[str, Any]]) -> Callable[[World, Cell], Probe]:
    def setup(w: World, c: Cell) -> Probe:
        item = made(w)
        data = {"": {}, "desk": {"desk": True},
                "dataset": {"package_id": item["package_id"]}}[c.variant]
        return Probe(data, lambda r: item["id"] in ids(r), paged=True)
    return setup


def setup_reader_verify(w: World, c: Cell) -> Probe:
    return Probe({"user_id": factories.User()["id"]}, done=lambda r: r["verified"] is True)


def setup_reader_verified_list(w: World, c: Cell) -> Probe:
    reader = factories.User()
    make(w.users["sysadmin"], "crowdsource_reader_verify", user_id=reader["id"])
    return Probe({}, lambda r: reader["id"] in ids(r, "user_id"), paged=True)


def setup_loans_expire(w: World, c: Cell) -> Probe:
    from ckanext.crowdsource.loans.model import loan as loan_table

    made = loan(w)
    model.Session.execute(sa.update(loan_table).where(loan_table.c.id == made["id"]).values(
        due=datetime.now(timezone.utc) - timedelta(minutes=1)))
    model.Session.commit()
    return Probe({}, done=lambda r: made["id"] in r["results"])


# Writes whose success leaves their item as it was for the next caller (each
# caller adds their own reply, flag, vote, "me too" or claim): one item serves
# all the cells of a situation. Every other write's success uses its item up.
SHARED = {"crowdsource_follow", "crowdsource_post_create", "crowdsource_flag_create",
          "crowdsource_post_vote",
          "crowdsource_request_second", "crowdsource_feedback_reply",
          "crowdsource_task_claim", "crowdsource_community_join",
          "crowdsource_community_leave", "crowdsource_points_grant"}

def setup_stats_show(w: World, c: Cell) -> Probe:
    tag(w, c.dataset)

    def counted(result: Any) -> bool:
        rows = {r["kind"]: r for r in result["results"]}
        return result["organization"] == w.org["id"] and rows["tag"]["total"] > 0

    return Probe({"metric": "outcomes", "period": "7d", "organization": w.org["name"]},
                 counted)


SETUPS: dict[str, Callable[[World, Cell], Probe]] = {
    "crowdsource_tag_add": setup_tag_add,
    "crowdsource_tag_remove": setup_tag_remove,
    "crowdsource_tag_list": setup_tag_list,
    "crowdsource_tag_cloud": setup_tag_cloud,
    "crowdsource_tag_datasets": setup_tag_datasets,
    "crowdsource_tag_hide": _tag_moderated("published"),
    "crowdsource_tag_restore": _tag_moderated("hidden"),
    "crowdsource_tag_promote": _tag_moderated("published"),
    "crowdsource_tag_block": setup_tag_block,
    "crowdsource_tag_unblock": setup_tag_unblock,
    "crowdsource_tag_block_list": setup_tag_block_list,
    "crowdsource_flag_create": setup_flag_create,
    "crowdsource_flag_review": setup_flag_review,
    "crowdsource_moderation_decide": setup_moderation_decide,
    "crowdsource_moderation_list": setup_moderation_list,
    "crowdsource_moderation_log_list": setup_moderation_log_list,
    "crowdsource_post_create": setup_post_create,
    "crowdsource_post_show": setup_post_show,
    "crowdsource_post_update": setup_post_update,
    "crowdsource_post_delete": setup_post_delete,
    "crowdsource_post_history": setup_post_history,
    "crowdsource_post_vote": setup_post_vote,
    "crowdsource_thread_show": setup_thread_show,
    "crowdsource_thread_list": setup_thread_list,
    "crowdsource_question_create": setup_question_create,
    "crowdsource_question_list": setup_question_list,
    "crowdsource_question_close": setup_question_close,
    "crowdsource_question_reopen": setup_question_reopen,
    "crowdsource_answer_accept": setup_answer_accept,
    "crowdsource_answer_verify": setup_answer_verify,
    "crowdsource_task_create": setup_task_create,
    "crowdsource_task_create_bulk": setup_task_create_bulk,
    "crowdsource_task_update": setup_task_update,
    "crowdsource_task_cancel": setup_task_cancel,
    "crowdsource_task_show": setup_task_show,
    "crowdsource_task_list": setup_task_list,
    "crowdsource_task_next": setup_task_next,
    "crowdsource_task_claim": setup_task_claim,
    "crowdsource_claim_extend": _claim_setup(),
    "crowdsource_claim_save_draft": _claim_setup(draft={"text": "Old maps"}),
    "crowdsource_claim_release": _claim_setup(reason="No time"),
    "crowdsource_claim_submit": _claim_setup(result={"text": "Old maps of the town"}),
    "crowdsource_claim_review": setup_claim_review,
    "crowdsource_claim_apply": setup_claim_apply,
    "crowdsource_claim_show": setup_claim_show,
    "crowdsource_claim_list": setup_claim_list,
    "crowdsource_claims_expire": setup_claims_expire,
    "crowdsource_feedback_create": setup_feedback_create,
    "crowdsource_feedback_show": setup_feedback_show,
    "crowdsource_feedback_list": setup_feedback_list,
    "crowdsource_feedback_summary": setup_feedback_summary,
    "crowdsource_feedback_export": setup_feedback_export,
    "crowdsource_feedback_reply": setup_feedback_reply,
    "crowdsource_feedback_set_status": setup_feedback_set_status,
    "crowdsource_feedback_set_status_bulk": setup_feedback_set_status_bulk,
    "crowdsource_request_second": setup_request_second,
    "crowdsource_request_list": setup_request_list,
    "crowdsource_rating_summary": setup_rating_summary,
    "crowdsource_community_propose": setup_community_propose,
    "crowdsource_community_create": setup_community_create,
    "crowdsource_community_review": setup_community_review,
    "crowdsource_community_update": setup_community_update,
    "crowdsource_community_show": setup_community_show,
    "crowdsource_community_list": setup_community_list,
    "crowdsource_community_join": setup_community_join,
    "crowdsource_community_leave": setup_community_leave,
    "crowdsource_community_member_list": setup_community_member_list,
    "crowdsource_community_member_set_role": setup_community_member_set_role,
    "crowdsource_community_member_request_review": setup_community_member_request_review,
    "crowdsource_points_list": setup_points_list,
    "crowdsource_points_summary": setup_points_summary,
    "crowdsource_share_record": setup_share_record,
    "crowdsource_leaderboard": setup_leaderboard,
    "crowdsource_recognition_settings_show": setup_recognition_settings_show,
    "crowdsource_recognition_settings_update": setup_recognition_settings_update,
    "crowdsource_points_grant": setup_points_grant,
    "crowdsource_points_recent": setup_points_recent,
    "crowdsource_contribution_list": setup_contribution_list,
    "crowdsource_badge_list": setup_badge_list,
    "crowdsource_contribution_summary": setup_contribution_summary,
    "crowdsource_notification_list": setup_notification_list,
    "crowdsource_notification_count": setup_notification_count,
    "crowdsource_notification_mark_read": setup_notification_mark_read,
    "crowdsource_notify_settings_show": setup_notify_settings_show,
    "crowdsource_notify_settings_update": setup_notify_settings_update,
    "crowdsource_notify_unsubscribe": setup_notify_unsubscribe,
    "crowdsource_follow": setup_follow,
    "crowdsource_unfollow": setup_unfollow,
    "crowdsource_follow_list": setup_follow_list,
    "crowdsource_stats_show": setup_stats_show,
    "crowdsource_lendable_set": setup_lendable_set,
    "crowdsource_lendable_show": setup_lendable_show,
    "crowdsource_lendable_list": setup_lendable_list,
    "crowdsource_loan_request": setup_loan_request,
    "crowdsource_loan_approve": _loan_setup(),
    "crowdsource_loan_decline": _loan_setup(reason="Not now"),
    "crowdsource_loan_revoke": _loan_setup(reason="Damaged"),
    "crowdsource_loan_renew": _loan_setup(),
    "crowdsource_loan_return": _loan_setup(),
    "crowdsource_loan_show": setup_loan_show,
    "crowdsource_loan_list": _list_setup(loan),
    "crowdsource_reservation_cancel": setup_reservation_cancel,
    "crowdsource_reservation_list": _list_setup(_queued),
    "crowdsource_loans_expire": setup_loans_expire,
    "crowdsource_reader_verify": setup_reader_verify,
    "crowdsource_reader_verified_list": setup_reader_verified_list,
}


# --- what a write left behind ---------------------------------------------------------

class Tables:
    """What is committed in the crowdsource tables and the core tables a
    crowdsource write may patch (``probe.watched_tables``): per table, its
    rows and the newest transaction that wrote one of them (``xmin``), so an
    insert, an update and a delete all show, on a connection of its own."""

    def __init__(self) -> None:
        self.names = watched_tables()
        self.query = sa.text(" UNION ALL ".join(
            f"SELECT '{n}', count(*), max(xmin::text::bigint) FROM \"{n}\"" for n in self.names))
        self.conn = model.Session.get_bind().connect().execution_options(
            isolation_level="AUTOCOMMIT")

    def snapshot(self) -> dict[str, tuple[int, int | None]]:
        return {name: (rows, newest) for name, rows, newest in self.conn.execute(self.query)}

    def close(self) -> None:
        self.conn.close()

    @staticmethod
    def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        return [f"{n} ({before[n][0]} rows -> {after[n][0]})" for n in before
                if before[n] != after.get(n)]


# --- one cell ------------------------------------------------------------------------

def _every_page(user: dict | None, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """A list action's whole answer: ``count`` as its first page says, and the
    results of every page."""
    first = call(user, action, **data, limit=100, offset=0)
    results = list(first["results"])
    while len(results) < first["count"]:
        page = call(user, action, **data, limit=100, offset=len(results))
        if not page["results"]:
            break
        results += page["results"]
    return {**first, "results": results}


def _text(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _outcome(error: Exception) -> str:
    if isinstance(error, logic.NotAuthorized):
        return NOT_AUTHORIZED
    if isinstance(error, logic.NotFound):
        return NOT_FOUND
    if isinstance(error, logic.ValidationError):
        return f"ValidationError {error.error_dict}"
    return f"{type(error).__name__}: {error}"


def check(w: World, tables: Tables | None, cell: Cell, probe: Probe) -> str:
    """What is wrong with the cell, or ""."""
    user = w.actor(cell)
    before = tables.snapshot() if tables is not None else None
    try:
        if probe.paged:
            result = _every_page(user, cell.action, probe.data)
        else:
            result = call(user, cell.action, **probe.data)
        got, said = "ok", _text(result)
        probe.used = True
    except Exception as e:  # noqa: BLE001 - every outcome is judged below
        model.Session.rollback()
        result, got, said = None, _outcome(e), str(e)
    changed = Tables.changes(before, tables.snapshot()) if tables is not None else []
    if cell.refusal in ("private", "hidden"):
        for text in (PRIVATE_TITLE if cell.refusal == "private" else "", probe.secret):
            if text and text in said:
                return f"refused, but the answer shows {text!r}: {said[:300]}"
    if cell.outcome in (NOT_AUTHORIZED, NOT_FOUND):
        if got != cell.outcome:
            return f"expected {cell.outcome}, got {got} {said[:200]}"
        return f"refused, but wrote: {', '.join(changed)}" if changed else ""
    if got != "ok":
        return f"expected {cell.outcome}, got {got} {said[:200]}"
    if cell.outcome == SKIP:
        if changed:
            return f"skipped, but wrote: {', '.join(changed)}"
        if probe.skipped and probe.skipped(result, cell):
            return ""
        return f"not skipped as expected: {said[:200]}"
    if probe.paged and result["count"] != len(result["results"]):
        return f"count {result['count']} but {len(result['results'])} results"
    if cell.outcome == OMIT:
        assert probe.present is not None
        return f"the item is listed: {said[:200]}" if probe.present(result) else ""
    if tables is not None:  # an allowed write
        if not changed:
            return "allowed, but nothing was written"
        if probe.done and not probe.done(result):
            return f"unexpected answer {said[:200]}"
        return ""
    assert probe.present is not None
    if not probe.present(result):
        return f"the item is not in the answer: {said[:300]}"
    return probe.leak(result, cell) if probe.leak else ""


def run_cells(w: World, action: str) -> tuple[int, list[str]]:
    """Every cell of the action: how many, and the failing ones."""
    s = matrix.ACTIONS[action]
    setup = SETUPS[action]
    tables = Tables() if s.kind == "write" else None
    failures: list[str] = []
    count = 0
    try:
        def situation(c: Cell) -> tuple[str, str, str]:
            return c.variant, c.dataset, c.state

        for _key, group in itertools.groupby(sorted(matrix.cells(action), key=situation),
                                             key=situation):
            probe = None
            for cell in sorted(group, key=lambda c: matrix.ROLES.index(c.role)):
                count += 1
                try:
                    # a refused write changes nothing: its item serves the next
                    # cell, unless the item is the caller's own
                    if probe is None or s.variants[cell.variant].own or (
                            s.kind == "write" and probe.used and action not in SHARED):
                        probe = setup(w, cell)
                except Exception as e:  # noqa: BLE001 - reported with the cell
                    model.Session.rollback()
                    failures.append(f"{cell}: its setup failed: {_outcome(e)}")
                    probe = None
                    continue
                problem = check(w, tables, cell, probe)
                if problem:
                    failures.append(f"{cell} (expected {cell.outcome}): {problem}")
    finally:
        if tables is not None:
            tables.close()
    return count, failures


# --- the tests --------------------------------------------------------------------------

def test_every_action_has_a_row():
    """Every action of the manifests is mapped to a row of DESIGN's table
    (or to one of the few rows the table lacks, listed apart), and has a
    setup; no mapping names an action that is gone."""
    assert not catalogue.manifest_errors()
    names = [a.name for a in catalogue.actions()]
    missing = [a for a in names if a not in matrix.ACTIONS or a not in SETUPS]
    assert not missing, f"actions without a row in the permission matrix: {missing}"
    stale = sorted((set(matrix.ACTIONS) | set(SETUPS)) - set(names))
    assert not stale, f"the matrix names actions that do not exist: {stale}"
    for name, s in matrix.ACTIONS.items():
        for variant in s.variants.values():
            assert matrix.row_of(s, variant) in matrix.ROWS, name
            for column in {**s.columns, **variant.columns}:
                assert column in matrix.COLUMNS, (name, column)
            matrix.cells(name)  # every cell value has a rule


CAPABILITIES = sorted({a.capability for a in catalogue.actions()})


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_cell_of_every_action(matrix_world: World, capability: str):
    """Each cell of each action of the capability does what its row of
    DESIGN's table says: an allowed call succeeds (and a write writes), a
    refused one raises the exact refusal (or a list leaves the item out of
    its results and count), writes nothing and shows nothing it should not.
    The failure lists every failing cell, each naming its action."""
    failures: list[str] = []
    for action in (a.name for a in catalogue.actions() if a.capability == capability):
        if action not in matrix.ACTIONS:
            failures.append(f"{action} has no row in the permission matrix")
            continue
        count, failed = run_cells(matrix_world, action)
        TALLY["action cells"] += count
        failures += failed if count else [f"{action} has no cells"]
    assert not failures, f"{len(failures)} cells of {capability} fail:\n" + "\n".join(failures)


# --- pages -----------------------------------------------------------------------------

def _backdated(table: sa.Table, row_id: str, column: str) -> None:
    """Put a row first in lists that show the oldest first."""
    model.Session.execute(sa.update(table).where(table.c.id == row_id).values(
        {column: datetime(2000, 1, 1, tzinfo=timezone.utc)}))
    model.Session.commit()


def _page_item(w: World, endpoint: str, dataset: str) -> tuple[str, str]:
    """What the page shows of the cell's dataset: (the id its URL names, or
    "", or for a page of the site a query string, and the text of the item
    it shows)."""
    from ckanext.crowdsource.feedback.model import feedback as feedback_table

    name = w.datasets[dataset]["name"]
    page = endpoint.split(".", 1)[1]
    if endpoint == "crowdsource_notify.unsubscribe":  # it does not say whose link it is
        author = w.author(dataset)
        return _unsubscribe_token(author), author["email"]
    if endpoint == "crowdsource_loans.item":
        made = lendable(w)
        return made["name"], made["secret"]
    if endpoint == "crowdsource_loans.mine":  # its return button names the loan
        return "", loan(w, by=w.author(dataset))["id"]
    if endpoint == "crowdsource_loans.manage":  # a request waiting for approval
        return "", loan(w, by=w.users["helper"], needs_approval=True)["id"]
    if endpoint == "crowdsource_loans.lend":
        secret = w.unique("To lend ")
        made = factories.Dataset(owner_org=w.org["id"], private=True, title=secret)
        return made["name"], secret
    if page == "discussion":
        return name, post(w, dataset)["secret"]
    if page in ("questions", "site_questions", "question", "hub"):
        asked = question(w, dataset)  # the hub's block lists the newest open questions
        return {"questions": name, "question": asked["id"]}.get(page, ""), asked["secret"]
    if page == "history":
        item = post(w, dataset)
        make(w.author(dataset), "crowdsource_post_update", id=item["id"], body="edited")
        return item["id"], item["secret"]
    if page == "replies":
        item = post(w, dataset)
        return item["id"], post(w, dataset, by=w.witness(dataset), parent_id=item["id"])["secret"]
    if page == "requests_page":
        return "", feedback(w, dataset, "request")["secret"]
    if page in ("inbox", "export", "item"):
        item = feedback(w, dataset)
        _backdated(feedback_table, item["id"], "created")
        return item["id"] if page == "item" else "", item["secret"]
    if page == "queue":
        return "", post(w, dataset, "hidden")["secret"]
    if page in ("cloud", "site_cloud"):
        name_ = tag(w, dataset, prefix="aaa" if page == "site_cloud" else "t")
        indexed()
        return name if page == "cloud" else "", name_
    if page == "qr":
        return name, w.datasets[dataset]["title"]
    if page in ("board", "task_page", "dataset_tasks"):
        made = task(w, dataset)
        return {"task_page": made["id"], "dataset_tasks": name}.get(page, ""), made["secret"]
    if page in ("leaderboard", "contributions"):
        author = w.author(dataset)
        asked = question(w, dataset, by=w.witness(dataset))
        answer = make(author, "crowdsource_post_create", thread_id=asked["id"], body="Sheet 4")
        make(w.witness(dataset), "crowdsource_answer_accept", id=answer["id"])
        make(author, "crowdsource_recognition_settings_update", leaderboards=True,
             public_profile=True)
        if page == "leaderboard":  # the author's link (member_author earns on private only)
            return "", f"/user/{author['name']}/contributions"
        return author["name"], f"/dataset/{w.datasets[dataset]['id']}"
    if endpoint.startswith("crowdsource_notify."):
        # the author's notification about the dataset: its title on their
        # page while they see the dataset; never on the bell or the settings
        return "", notification(w, dataset, w.author(dataset))["secret"]
    if endpoint == "crowdsource_community.index":
        made = community(w)  # found by its name (a query: the list pages)
        return f"?q={made['name']}", made["secret"]
    if endpoint == "crowdsource_community.read":
        made = community(w)
        make(w.users["sysadmin"], "member_create", id=made["id"], object=w.dataset_id(dataset),
             object_type="package", capacity="public")
        posted = task(w, dataset, community_id=made["id"])
        indexed()
        return made["name"], posted["secret"]
    if page == "stats":  # the dashboard shows no tag: nobody finds one there
        return "?period=7d", tag(w, dataset, prefix="stats")
    if page == "csv":
        return "?limit=100", feedback(w, dataset, "request")["secret"]
    if page == "review_queue":
        made = claim(w, dataset, "submitted")
        _backdated(claim_table, made["id"], "submitted_at")
        return "", made["task_secret"]
    raise AssertionError(f"no item for the page {endpoint}")


def _with_fresh_datasets(w: World) -> World:
    """The world with a new public and private dataset of the same
    organization (the private one with the same title), so that a dataset's
    pages show only what the page cells put there."""
    org = w.org["id"]
    return dataclasses.replace(w, datasets={
        "public": factories.Dataset(owner_org=org, title="Town Plans"),
        "private": factories.Dataset(owner_org=org, private=True, title=PRIVATE_TITLE)})


def _as(app: Any, w: World, role: str, dataset: str) -> None:
    if role == "anonymous":
        log_out(app)
    else:
        log_in(app, w.author(dataset) if role == "author" else w.users[role])


def _rules(app: Any) -> dict[str, forms.Page]:
    return {p.endpoint: p for p in forms.pages(app.flask_app)}


def test_a_cell_that_goes_otherwise_fails(matrix_world: World):
    """The judge of a cell is not blind: a cell told the opposite of what
    the product does (an allowed write as refused, a refused one as allowed,
    a listed item as left out, a shown item as refused) is reported."""
    w = matrix_world
    add = {(c.role, c.dataset): c for c in matrix.cells("crowdsource_tag_add")}
    listed = {(c.role, c.dataset, c.state): c for c in matrix.cells("crowdsource_tag_list")}
    tables = Tables()
    try:
        for cell, outcome, said in (
                (add["reader", "public"], NOT_AUTHORIZED, "expected NotAuthorized, got ok"),
                (add["reader", "private"], "ok", "expected ok, got NotAuthorized"),
                (add["member", "private"], SKIP, "skipped, but wrote")):
            flipped = dataclasses.replace(cell, allowed=outcome == "ok", outcome=outcome)
            assert said in check(w, tables, flipped, setup_tag_add(w, flipped))
    finally:
        tables.close()
    for cell, outcome, said in (
            (listed["reader", "public", "published"], OMIT, "the item is listed"),
            (listed["reader", "public", "hidden"], "ok", "not in the answer"),
            (listed["editor", "public", "published"], NOT_FOUND, "expected ObjectNotFound")):
        flipped = dataclasses.replace(cell, allowed=outcome == "ok", outcome=outcome)
        assert said in check(w, None, flipped, setup_tag_list(w, flipped))


def test_every_page_and_form_has_a_row(matrix_world: World, app: Any):
    """Every GET page of the crowdsource blueprints is mapped to a row, and
    every POST form's verb to the action it runs; nothing mapped is gone."""
    found = forms.pages(app.flask_app)
    gets = {p.endpoint for p in found if "GET" in p.methods}
    assert gets == set(matrix.PAGES), (
        f"pages without a row: {sorted(gets - set(matrix.PAGES))}; "
        f"rows of pages that are gone: {sorted(set(matrix.PAGES) - gets)}")
    posts = {p.endpoint: p for p in found if "POST" in p.methods}
    assert set(posts) == set(matrix.FORMS), sorted(set(posts) ^ set(matrix.FORMS))
    for endpoint, page in posts.items():
        verbs = set(page.choices.get("verb", [])) if "verb" in page.arguments else {""}
        assert verbs == set(matrix.FORMS[endpoint]), (endpoint, sorted(verbs))
        for verb, (action, _variant, _state) in matrix.FORMS[endpoint].items():
            assert action in matrix.ACTIONS, (endpoint, verb, action)
            for role in matrix.FORM_ROLES:
                matrix.form_cell(endpoint, verb, role)


def test_every_cell_of_every_page(matrix_world: World, app: Any):
    """Every page, for every caller, about the public and the private
    dataset: the status its row gives (200, or the refusal), the cell's item
    on it for those who may see it and for nobody else, and never the
    private dataset's title for those who cannot see that dataset."""
    w, rules = _with_fresh_datasets(matrix_world), _rules(app)
    urls: dict[tuple[str, str], tuple[str, str]] = {}
    for endpoint, spec in matrix.PAGES.items():
        for dataset in matrix.DATASETS:
            named, secret = _page_item(w, endpoint, dataset)
            rule = rules[endpoint].rule
            # a page of the site may be given a query (the item it looks for)
            arg = next((a for a in ("<id>", "<token>") if a in rule), None)
            url = rule.replace(arg, named) if arg else rule + named
            for key, value in spec.args.items():
                url = url.replace(f"<{key}>", value)
            urls[endpoint, dataset] = url, secret
    failures, count = [], 0
    for role in matrix.PAGE_ROLES:
        for dataset in matrix.DATASETS:
            _as(app, w, role, dataset)  # once for all pages: a log-in may cost a token
            for endpoint, spec in matrix.PAGES.items():
                url, secret = urls[endpoint, dataset]
                count += 1
                res = app.get(url, follow_redirects=False)
                body = res.get_data(as_text=True)
                where = f"{endpoint} as {role} [{dataset}] {url}"
                status = spec.status(role, dataset)
                if res.status_code != status:
                    failures.append(f"{where}: status {res.status_code}, expected {status}")
                if spec.finds(role, dataset) != (secret in body):
                    state = "missing" if secret not in body else "shown"
                    failures.append(f"{where}: the item is {state}")
                if not matrix.sees_dataset(role, "private") and PRIVATE_TITLE in body:
                    failures.append(f"{where}: shows the private dataset's title")
            log_out(app)
    TALLY["page cells"] += count
    assert not failures, f"{len(failures)} of {count} page cells fail:\n" + "\n".join(failures)


# --- forms ------------------------------------------------------------------------------

def _form(endpoint: str, verb: str, data: dict[str, Any], probe: Probe) -> tuple[str, dict]:
    """The form post a page makes for the action's data: (the id its URL
    names, the fields)."""
    if endpoint == "crowdsource_tags.change":
        if verb == "flag":
            package_id, _, name = data["item_id"].partition(":")
            return package_id, {"tag": name, "reason": data["reason"]}
        return data["package_id"], {"tag": data["tag"]}
    if endpoint == "crowdsource_tasks.act":
        if verb in ("create", "next"):
            return "", data
        if verb in ("claim", "cancel"):
            return "", {"task_id": data["id"], "reason": data.get("reason", "")}
        fields = {"claim_id": data["id"], "task_id": probe.task_id}
        return "", {**fields, "decision": data.get("decision", ""),
                    "reason": data.get("reason", ""), "text": "Old maps"}
    if endpoint == "crowdsource_community.act" and verb == "create":
        # the form makes an existing group a community (a new one each post)
        return "", {"id": factories.Group()["name"]}
    if endpoint == "crowdsource_notify.mark":
        return "", {"id": data["ids"][0]}
    if endpoint == "crowdsource_notify.unsubscribe":
        return data["token"], {}
    if endpoint == "crowdsource_discussion.act":
        if verb in ("flag", "hide", "restore", "approve"):
            return "", {"id": data["item_id"], "reason": data.get("reason", "")}
        if verb in ("close", "reopen"):
            return "", {"thread_id": data["id"]}
    if endpoint == "crowdsource_loans.lend":
        return data["package_id"], {k: v for k, v in data.items() if k != "package_id"}
    if endpoint == "crowdsource_loans.act" and verb == "unverify":
        # what it takes back: the reader verified first
        helpers.call_action("crowdsource_reader_verify",
                            context={"user": factories.Sysadmin()["name"]},
                            user_id=data["user_id"])
    return "", data


def test_every_form_refuses_as_its_action(matrix_world: World, app: Any):
    """Each verb of each form, posted about the private dataset by an
    outsider, a member who is not staff and staff: it writes exactly when
    the action's cell allows it, answers a refusal without a server error,
    and shows nothing of the private dataset to the outsider."""
    w, rules = matrix_world, _rules(app)
    tables = Tables()
    failures, count = [], 0
    try:
        for role in matrix.FORM_ROLES:
            _as(app, w, role, "private")
            for endpoint, verbs in matrix.FORMS.items():
                for verb, (action, _variant, _state) in verbs.items():
                    count += 1
                    problem = _post_form(w, app, tables, rules[endpoint].rule, endpoint, verb,
                                         role)
                    if problem:
                        failures.append(f"{endpoint} {verb or action} as {role}: {problem}")
            log_out(app)
    finally:
        tables.close()
        log_out(app)
    TALLY["form cells"] += count
    assert not failures, f"{len(failures)} of {count} form cells fail:\n" + "\n".join(failures)


def _post_form(w: World, app: Any, tables: Tables, rule: str, endpoint: str, verb: str,
               role: str) -> str:
    """What is wrong with one form post (the caller is logged in), or ""."""
    cell = matrix.form_cell(endpoint, verb, role)
    probe = SETUPS[cell.action](w, cell)
    named, fields = _form(endpoint, verb, probe.data, probe)
    before = tables.snapshot()
    url = rule.replace("<verb>", verb).replace("<id>", named).replace("<token>", named)
    res = app.post(url, data=fields, follow_redirects=False)
    changed = Tables.changes(before, tables.snapshot())
    expected = f"(its cell: {cell.outcome})"
    if cell.allowed and (res.status_code != 302 or not changed):
        return f"status {res.status_code}, wrote {changed or 'nothing'} {expected}"
    if not cell.allowed:
        if res.status_code not in (302, 403, 404) or changed:
            return f"status {res.status_code}, wrote {changed or 'nothing'} {expected}"
        body = res.get_data(as_text=True)
        if any(t and t in body for t in (PRIVATE_TITLE, probe.secret)):
            return "the answer shows what the caller may not see"
    return ""


def test_zz_tally(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]):
    """How many cells the matrix checked in this run (for the README),
    printed at its end; it fails when a run of the whole file checked none."""
    counts = {k: TALLY[k] for k in ("action cells", "page cells", "form cells")}
    with capsys.disabled():
        print("\npermission matrix: " + ", ".join(f"{n} {k}" for k, n in counts.items())
              + f" ({sum(counts.values())} in all)")
    alone = len(request.session.items) == 1
    assert alone or sum(counts.values())

"""Many readers at once against a CKAN served by four worker processes:
the task row lock keeps claims within capacity, and the next-task queue
hands each task to one reader."""
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.crowdsource.tasks.model import claim, task
from ckanext.crowdsource.tests.served import post_all, readers_with_tokens, serve, statuses

pytestmark = pytest.mark.served
WORKERS = 4


@pytest.fixture
def library(clean_db):
    org = factories.Organization()
    staff = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=staff["name"],
                        role="editor")
    return {"org": org, "staff": staff}


def test_200_simultaneous_claims_on_a_task_of_capacity_3(library):
    ds = factories.Dataset(owner_org=library["org"]["id"])
    t = helpers.call_action("crowdsource_task_create", context={"user": library["staff"]["name"]},
                            package_id=ds["id"], kind="tag", title="Tag", capacity=3)
    tokens = readers_with_tokens(200)
    with serve(workers=WORKERS) as base:
        results = post_all(base, "crowdsource_task_claim", [{"id": t["id"]}] * 200, tokens)
    assert statuses(results) == {200: 3, 409: 197}, statuses(results)
    refusals = {json.dumps(body["error"], sort_keys=True) for status, body in results
                if status == 409}
    assert all("no free slot" in r for r in refusals), refusals
    assert {key for status, body in results if status == 409
            for key in body["error"] if key != "__type"} == {"capacity"}
    model.Session.expire_all()
    assert model.Session.execute(sa.select(sa.func.count()).select_from(claim).where(
        claim.c.task_id == t["id"])).scalar() == 3
    assert model.Session.execute(sa.select(task.c.slots_used).where(
        task.c.id == t["id"])).scalar() == 3


def test_50_readers_ask_for_the_next_of_20_single_slot_tasks(library):
    context = {"user": library["staff"]["name"]}
    ids = set()
    for n in range(20):
        ds = factories.Dataset(owner_org=library["org"]["id"])
        ids.add(helpers.call_action("crowdsource_task_create", context=dict(context),
                                    package_id=ds["id"], kind="verify", title=f"T{n}")["id"])
    tokens = readers_with_tokens(50)
    with serve(workers=WORKERS) as base:
        results = post_all(base, "crowdsource_task_next", [{}] * 50, tokens)
    assert statuses(results) == {200: 20, 404: 30}, statuses(results)
    claimed = [body["result"]["task_id"] for status, body in results if status == 200]
    assert sorted(claimed) == sorted(ids)  # every task once
    per_task = dict(model.Session.execute(
        sa.select(claim.c.task_id, sa.func.count()).group_by(claim.c.task_id)).all())
    assert per_task == {task_id: 1 for task_id in ids}

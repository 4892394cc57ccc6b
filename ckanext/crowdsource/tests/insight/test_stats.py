"""The staff dashboard's numbers on hand-made data with known answers:
counts per bucket, the library's local day, new and returning readers,
medians and 90th percentiles, backlogs, who sees which organization's
numbers, and bad input."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from ckan import logic, model
from freezegun import freeze_time

from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", "0")

# a Monday, noon in UTC
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


def at(table: str, row_id: str, **times: datetime) -> None:
    """Backdate a row made through the actions (test set-up only)."""
    sets = ", ".join(f"{k} = :{k}" for k in times)
    model.Session.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"),
                          {"id": row_id, **times})
    model.Session.commit()


def tag(lib, who, package, name, when):
    as_user(lib[who], "crowdsource_tag_add", package_id=lib[package]["id"], tag=name)
    row_id = model.Session.execute(sa.text(
        "SELECT id FROM crowdsource_tag WHERE tag = :t AND package_id = :p"),
        {"t": name, "p": lib[package]["id"]}).scalar_one()
    at("crowdsource_tag", row_id, created=when)


def stats(user, **data):
    with freeze_time(NOW):
        return as_user(user, "crowdsource_stats_show", **data)


def utc(day, hour, minute=0):
    return datetime(2026, 6, day, hour, minute, tzinfo=timezone.utc)


def by_bucket(result, column):
    return {r["bucket"]: r[column] for r in result["results"] if r[column]}


def test_contributions_are_counted_per_local_day_and_week(lib):
    tag(lib, "reader", "ds", "maps", utc(14, 10))
    tag(lib, "reader2", "ds", "charts", utc(14, 11))
    comment = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                      body="Sheet 4 is torn")
    at("crowdsource_post", comment["id"], created=utc(15, 9))
    tag(lib, "reader", "ds", "older", utc(1, 9))  # before the period
    tag(lib, "reader", "other", "elsewhere", utc(14, 9))  # another organization's

    days = stats(lib["editor"], metric="contributions", period="7d")
    assert [r["bucket"] for r in days["results"]] == [f"2026-06-{d:02d}" for d in
                                                     range(9, 16)]
    assert by_bucket(days, "tag") == {"2026-06-14": 2}
    assert by_bucket(days, "comment") == {"2026-06-15": 1}
    assert days["granularity"] == "day" and days["count"] == 7
    assert days["since"] == "2026-06-09T00:00:00+00:00"

    weeks = stats(lib["editor"], metric="contributions", period="7d", granularity="week")
    assert [r["bucket"] for r in weeks["results"]] == ["2026-06-08", "2026-06-15"]
    assert by_bucket(weeks, "tag") == {"2026-06-08": 2}
    assert by_bucket(weeks, "comment") == {"2026-06-15": 1}

    everything = stats(lib["sysadmin"], metric="contributions", period="7d")
    assert by_bucket(everything, "tag") == {"2026-06-14": 3}


@pytest.mark.ckan_config("ckan.display_timezone", "Asia/Shanghai")
def test_an_item_late_in_the_utc_evening_counts_on_the_next_local_day(lib):
    tag(lib, "reader", "ds", "maps", utc(13, 23, 30))  # 07:30 on the 14th in Shanghai
    found = stats(lib["editor"], metric="contributions", period="7d")
    assert by_bucket(found, "tag") == {"2026-06-14": 1}
    assert found["timezone"] == "Asia/Shanghai"
    # the period starts at midnight in Shanghai: 16:00 UTC the day before
    assert found["since"] == "2026-06-08T16:00:00+00:00"


def test_an_item_late_in_the_utc_evening_stays_on_its_day_in_utc(lib):
    tag(lib, "reader", "ds", "maps", utc(13, 23, 30))
    assert by_bucket(stats(lib["editor"], metric="contributions", period="7d"),
                     "tag") == {"2026-06-13": 1}


def test_new_and_returning_contributors(lib):
    tag(lib, "reader", "ds", "first", utc(10, 9))
    tag(lib, "reader", "ds", "again", utc(14, 9))
    tag(lib, "reader", "ds", "twice", utc(14, 10))  # one reader, counted once a day
    tag(lib, "reader2", "ds", "hello", utc(14, 11))
    tag(lib, "reader3", "ds", "long-ago", datetime(2025, 1, 5, tzinfo=timezone.utc))
    tag(lib, "reader3", "ds", "back", utc(12, 9))
    found = stats(lib["editor"], metric="contributors", period="7d")
    assert by_bucket(found, "new") == {"2026-06-10": 1, "2026-06-14": 1}
    assert by_bucket(found, "returning") == {"2026-06-12": 1, "2026-06-14": 1}


def test_outcomes_per_kind(lib):
    for n in range(3):
        tag(lib, "reader", "ds", f"t{n}", utc(14, 9))
    as_user(lib["editor"], "crowdsource_tag_hide", package_id=lib["ds"]["id"], tag="t1",
            reason="spam")
    rows = {r["kind"]: r for r in stats(lib["editor"], metric="outcomes",
                                         period="7d")["results"]}
    assert (rows["tag"]["accepted"], rows["tag"]["hidden"], rows["tag"]["total"]) == (2, 1, 3)
    assert rows["comment"]["total"] == 0


def feedback_answered_after(lib, hours, created=None):
    made = as_user(lib["reader"], "crowdsource_feedback_create", kind="error",
                   body="A page is missing", package_id=lib["ds"]["id"])
    created = created or NOW - timedelta(days=2)
    at("crowdsource_feedback", made["id"], created=created,
       answered=created + timedelta(hours=hours))
    return made


def test_median_and_90th_percentile_of_the_first_staff_reply(lib):
    for hours in (1, 2, 3, 4, 10):
        feedback_answered_after(lib, hours)
    # answered before the period: not counted
    feedback_answered_after(lib, 100, created=NOW - timedelta(days=60))
    question = as_user(lib["reader"], "crowdsource_question_create",
                       package_id=lib["ds"]["id"], title="Where is 1850?", body="?")
    answer = as_user(lib["reader2"], "crowdsource_post_create", thread_id=question["id"],
                     body="In the archive")
    asked = NOW - timedelta(days=1)
    at("crowdsource_thread", question["id"], created=asked)
    at("crowdsource_post", answer["id"], created=asked + timedelta(hours=5))
    rows = {r["queue"]: r for r in stats(lib["editor"], metric="service",
                                         period="7d")["results"]}
    assert rows["feedback"] == {"queue": "feedback", "answered": 5, "median_hours": 3.0,
                                "p90_hours": 7.6}  # 4 + 0.6 x (10 - 4)
    assert rows["questions"]["median_hours"] == 5.0
    assert rows["claims"] == {"queue": "claims", "answered": 0, "median_hours": None,
                              "p90_hours": None}


def test_backlog_and_its_age(lib):
    waiting = as_user(lib["reader"], "crowdsource_feedback_create", kind="error",
                      body="Broken link", package_id=lib["ds"]["id"])
    at("crowdsource_feedback", waiting["id"], created=NOW - timedelta(hours=48))
    feedback_answered_after(lib, 1)  # answered: not waiting
    question = as_user(lib["reader"], "crowdsource_question_create",
                       package_id=lib["ds"]["id"], title="Any 1900 maps?", body="?")
    at("crowdsource_thread", question["id"], created=NOW - timedelta(hours=10))
    rows = {r["queue"]: r for r in stats(lib["editor"], metric="backlog")["results"]}
    assert (rows["feedback"]["waiting"], rows["feedback"]["oldest_age_hours"]) == (1, 48.0)
    assert (rows["questions"]["waiting"], rows["questions"]["oldest_age_hours"]) == (1, 10.0)
    unanswered = stats(lib["editor"], metric="unanswered", limit=5)
    assert unanswered["count"] == 1
    assert unanswered["results"][0]["title"] == "Any 1900 maps?"


def test_most_seconded_open_requests_are_paged(lib):
    made = []
    for n in range(3):
        made.append(as_user(lib["reader"], "crowdsource_feedback_create", kind="request",
                            title=f"Request {n}", body="Please", package_id=lib["ds"]["id"]))
    as_user(lib["reader2"], "crowdsource_request_second", id=made[2]["id"])
    as_user(lib["reader3"], "crowdsource_request_second", id=made[2]["id"])
    as_user(lib["reader2"], "crowdsource_request_second", id=made[1]["id"])
    first = stats(lib["editor"], metric="requests", limit=2)
    assert first["count"] == 3
    assert [(r["title"], r["seconds"]) for r in first["results"]] == [
        ("Request 2", 2), ("Request 1", 1)]
    rest = stats(lib["editor"], metric="requests", limit=2, offset=2)
    assert [r["title"] for r in rest["results"]] == ["Request 0"]


def test_tasks_and_claims_by_state_and_throughput(lib):
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
                   kind="describe", title="Describe the map", capacity=2)
    at("crowdsource_task", task["id"], created=NOW - timedelta(days=2))
    claim = as_user(lib["reader"], "crowdsource_task_claim", id=task["id"])
    at("crowdsource_claim", claim["id"], created=NOW - timedelta(days=2))
    as_user(lib["reader"], "crowdsource_claim_submit", id=claim["id"],
            result={"text": "A map of 1850"})
    at("crowdsource_claim", claim["id"], submitted_at=NOW - timedelta(hours=30))
    as_user(lib["editor"], "crowdsource_claim_review", id=claim["id"], decision="accept")
    at("crowdsource_claim", claim["id"], reviewed_at=NOW - timedelta(hours=6))
    other = as_user(lib["reader2"], "crowdsource_task_claim", id=task["id"])
    at("crowdsource_claim", other["id"], created=NOW - timedelta(days=1))
    tasks = {r["state"]: r["count"] for r in stats(lib["editor"], metric="tasks")["results"]}
    claims = {r["state"]: r["count"] for r in stats(lib["editor"], metric="claims")["results"]}
    assert tasks == {"open": 1, "completed": 0, "cancelled": 0}
    assert (claims["accepted"], claims["claimed"], claims["submitted"]) == (1, 1, 0)
    flow = stats(lib["editor"], metric="throughput", period="7d")
    assert by_bucket(flow, "submitted") == {"2026-06-14": 1}
    assert by_bucket(flow, "accepted") == {"2026-06-15": 1}
    service = {r["queue"]: r for r in stats(lib["editor"], metric="service")["results"]}
    assert (service["claims"]["answered"], service["claims"]["median_hours"]) == (1, 24.0)


# --- who sees what ---------------------------------------------------------------------

def test_staff_see_their_organizations_numbers_and_never_another_organizations_private_ones(
        lib):
    from ckan.tests import factories

    secret_other = factories.Dataset(owner_org=lib["other_org"]["id"], private=True)
    lib = {**lib, "secret_other": secret_other}
    tag(lib, "sysadmin", "private", "rota", utc(14, 9))  # org A's private dataset
    tag(lib, "sysadmin", "secret_other", "hidden-b", utc(14, 9))  # org B's private one
    tag(lib, "reader", "other", "public-b", utc(14, 9))  # org B's public one

    def tags(user, **data):
        return sum(r["tag"] for r in stats(user, metric="contributions", period="7d",
                                           **data)["results"])

    assert tags(lib["editor"]) == 1  # org A's own private dataset counts for its staff
    assert tags(lib["editor"], organization=lib["org"]["name"]) == 1
    assert tags(lib["other_editor"]) == 2  # org B's, never org A's
    assert tags(lib["sysadmin"]) == 3
    assert tags(lib["sysadmin"], organization=lib["other_org"]["id"]) == 2
    for user, org in ((lib["editor"], lib["other_org"]), (lib["other_editor"], lib["org"]),
                      (lib["member"], lib["org"]), (lib["reader"], None), (None, None)):
        data = {"organization": org["name"]} if org else {}
        with pytest.raises(logic.NotAuthorized):
            stats(user, metric="contributions", **data)


@pytest.mark.parametrize("data,field", [
    ({"metric": "happiness"}, "metric"),
    ({}, "metric"),
    ({"metric": "contributions", "period": "2y"}, "period"),
    ({"metric": "contributions", "granularity": "hour"}, "granularity"),
    ({"metric": "requests", "limit": 100000}, "limit"),
    ({"metric": "contributions", "colour": "red"}, "colour"),
])
def test_bad_input_names_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_stats_show", **data)
    assert field in e.value.error_dict


def test_an_unknown_organization_is_not_found(lib):
    with pytest.raises(logic.NotFound):
        as_user(lib["sysadmin"], "crowdsource_stats_show", metric="contributions",
                organization="no-such-org")

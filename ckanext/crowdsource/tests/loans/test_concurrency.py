"""Many readers borrowing a 3-copy dataset at the same moment, against a CKAN
served by four worker processes: the lendable row lock gives exactly three
loans, and every other reader a place of their own in the queue (1 to n,
none twice, none skipped), in the order the lock let them in."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.crowdsource.loans.model import loan, reservation
from ckanext.crowdsource.tests.served import post_all, readers_with_tokens, serve

pytestmark = pytest.mark.served
WORKERS = 4
READERS = 100


def test_simultaneous_borrowers_of_a_3_copy_dataset(clean_db):
    org = factories.Organization()
    staff = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=staff["name"],
                        role="editor")
    ds = factories.Dataset(owner_org=org["id"], private=True)
    helpers.call_action("crowdsource_lendable_set", context={"user": staff["name"]},
                        package_id=ds["id"], copies=3)
    tokens = readers_with_tokens(READERS)
    with serve(workers=WORKERS, **{"ckanext.crowdsource.common.writes_per_minute": "0"}) as base:
        results = post_all(base, "crowdsource_loan_request",
                           [{"package_id": ds["id"]}] * READERS, tokens)
    assert {status for status, _ in results} == {200}, results
    answers = [body["result"] for _, body in results]
    loans = [a for a in answers if a["type"] == "loan"]
    places = sorted(a["place"] for a in answers if a["type"] == "reservation")
    assert len(loans) == 3 and all(a["state"] == "active" for a in loans)
    assert places == list(range(1, READERS - 3 + 1))
    model.Session.expire_all()
    active = model.Session.execute(sa.select(sa.func.count()).select_from(loan).where(
        loan.c.package_id == ds["id"], loan.c.state == "active")).scalar()
    assert active == 3
    # the queue's order is the order the readers were let in: the place each
    # was told, by sequence number
    queue = model.Session.execute(sa.select(reservation.c.id).where(
        reservation.c.package_id == ds["id"]).order_by(reservation.c.seq)).scalars().all()
    told = {a["id"]: a["place"] for a in answers if a["type"] == "reservation"}
    assert [told[i] for i in queue] == list(range(1, READERS - 3 + 1))

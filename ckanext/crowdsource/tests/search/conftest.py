"""A small catalogue for search tests, built through CKAN's actions."""
import pytest
from ckan.tests import factories


@pytest.fixture
def catalogue(clean_db):
    """Three organizations, two groups, eight datasets; one private, one draft."""
    city = factories.Organization(name="city-library", title="City Library")
    uni = factories.Organization(name="uni-library", title="University Library")
    archive = factories.Organization(name="local-archive", title="Local History Archive")
    maps = factories.Group(name="maps", title="Maps")
    history = factories.Group(name="history", title="History")

    def ds(name, title, org, **kw):
        return factories.Dataset(name=name, title=title, owner_org=org["id"], **kw)

    data = {
        "orgs": {"city": city, "uni": uni, "archive": archive},
        "groups": {"maps": maps, "history": history},
        "ds": {},
    }
    d = data["ds"]
    d["ancient"] = ds(
        "ancient-books", "市图书馆古籍目录", city,
        notes="馆藏古籍善本的书目数据 Rare books catalogue",
        tags=[{"name": "古籍"}, {"name": "books"}],
        groups=[{"name": "history"}],
        resources=[{"url": "http://example.org/a.csv", "format": "CSV", "name": "书目"}],
    )
    d["maps"] = ds(
        "city-maps", "Historic City Maps", archive,
        notes="Scanned maps of the old town, 1850-1950.",
        tags=[{"name": "maps"}, {"name": "history"}],
        groups=[{"name": "maps"}, {"name": "history"}],
        resources=[{"url": "http://example.org/m.zip", "format": "ZIP"}],
        extras=[{"key": "coverage", "value": "Old town district"}],
    )
    d["loans"] = ds(
        "loan-statistics", "Library Loan Statistics 2023", city,
        notes="Monthly loans by branch. Economy of reading.",
        tags=[{"name": "statistics"}, {"name": "economy"}],
        resources=[
            {"url": "http://example.org/l.csv", "format": "CSV"},
            {"url": "http://example.org/l.json", "format": "JSON"},
        ],
        license_id="cc-by",
    )
    d["theses"] = ds(
        "theses", "大学学位论文数据集 University Theses", uni,
        notes="Theses metadata of the university library.",
        tags=[{"name": "theses"}, {"name": "economy"}],
        resources=[{"url": "http://example.org/t.xml", "format": "XML"}],
    )
    d["photos"] = ds(
        "old-photos", "老照片 Old Photographs", archive,
        notes="Photographs donated by residents.",
        tags=[{"name": "photos"}, {"name": "history"}],
    )
    d["economics"] = ds(
        "economic-reports", "Economic Reports", uni,
        notes="Reports about the regional economy and libraries.",
        tags=[{"name": "economy"}],
    )
    d["private"] = ds(
        "staff-rota", "Staff Rota 员工排班", city, private=True,
        notes="Internal staff schedule.", tags=[{"name": "internal"}],
    )
    d["draft"] = ds(
        "draft-dataset", "Draft Periodicals", uni, state="draft",
        tags=[{"name": "periodicals"}],
    )
    return data

"""Seed the demo portal with a sample library catalogue, through CKAN's actions.

Usage: python scripts/seed_demo.py demo/demo.ini

Safe to run again: every organization, group, user and dataset is created only
when missing. Log-ins are printed once, when the users are created.
"""
from __future__ import annotations

import secrets
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.plugins import toolkit

ORGS = [
    ("city-library", "市图书馆 City Library", "A public library serving the city's readers."),
    ("university-library", "大学图书馆 University Library", "Research collections and theses."),
    ("local-history-archive", "地方史档案馆 Local History Archive", "Records of the district."),
]
GROUPS = [
    ("history", "历史 History"),
    ("literature", "文学 Literature"),
    ("science", "科学 Science"),
    ("maps-geography", "地图与地理 Maps & Geography"),
    ("arts", "艺术 Arts"),
]
FORMATS = ["CSV", "JSON", "PDF", "XLSX", "XML", "ZIP"]

# (organization, group, title, notes, tags)
DATASETS = [
    (0, "history", "市图书馆古籍目录", "馆藏古籍善本的书目数据，含版本与馆藏位置。", ["古籍", "书目"]),
    (0, "literature", "Children's Picture Books Catalogue", "Picture books for ages 3-8.", ["children", "books"]),
    (0, "science", "图书借阅统计 2023", "按月份与分馆统计的借阅量。", ["统计", "借阅"]),
    (0, "literature", "Library Loan Statistics 2024", "Monthly loans by branch.", ["statistics", "loans"]),
    (0, "arts", "馆藏书画作品图录", "本馆收藏的书法与绘画作品。", ["书法", "绘画"]),
    (0, "literature", "New Acquisitions List", "Books acquired this quarter.", ["acquisitions"]),
    (0, "history", "读者活动记录 Reader Events", "讲座、读书会与展览的记录。", ["活动", "events"]),
    (0, "science", "Open Access E-journals", "E-journals the library subscribes to.", ["journals", "open-access"]),
    (0, "literature", "地方作家作品集", "本市作家的小说与诗歌。", ["文学", "作家"]),
    (0, "arts", "Music Scores Collection", "Printed sheet music and scores.", ["music", "scores"]),
    (0, "science", "少儿科普读物推荐", "适合中小学生的科普图书。", ["科普", "少儿"]),
    (0, "history", "Branch Opening Hours History", "Opening hours of each branch since 1990.", ["branches"]),
    (0, "literature", "外文原版小说", "English, French and Japanese novels in the original.", ["小说", "foreign-language"]),
    (0, "science", "Digital Reading Usage", "E-book and audiobook usage.", ["e-books", "statistics"]),
    (1, "science", "大学学位论文数据集", "硕士与博士学位论文的元数据。", ["论文", "theses"]),
    (1, "science", "Research Data Management Plans", "Data management plans of funded projects.", ["research-data"]),
    (1, "literature", "中国古典文学研究文献", "古典文学研究的期刊论文与专著。", ["古典文学", "文献"]),
    (1, "science", "Chemistry Lab Notebooks (digitised)", "Digitised notebooks, 1950-1980.", ["chemistry", "digitised"]),
    (1, "history", "校史档案", "学校历年的重要文件与照片。", ["校史", "档案"]),
    (1, "maps-geography", "Campus Maps", "Historic and current campus maps.", ["maps", "campus"]),
    (1, "science", "开放获取期刊目录", "学校订阅与开放获取的期刊。", ["期刊", "开放获取"]),
    (1, "arts", "Architecture Drawings Archive", "Drawings of the university buildings.", ["architecture"]),
    (1, "science", "Citation Statistics by Faculty", "Citations of publications per faculty.", ["bibliometrics", "statistics"]),
    (1, "literature", "民国期刊数字化", "民国时期期刊的数字化扫描。", ["民国", "期刊"]),
    (1, "science", "Software Licences", "Licences the library manages.", ["software"]),
    (1, "history", "Oral History Interviews", "Interviews with alumni, transcribed.", ["oral-history", "interviews"]),
    (1, "maps-geography", "地理信息数据", "行政区划与地形数据。", ["地理", "gis"]),
    (1, "science", "Textbook Reserve List", "Course textbooks on reserve.", ["textbooks"]),
    (2, "history", "地方志", "本地历代地方志的数字化文本。", ["地方志", "方志"]),
    (2, "maps-geography", "Historic City Maps", "Scanned maps of the old town, 1850-1950.", ["maps", "history"]),
    (2, "history", "老照片 Old Photographs", "Photographs donated by residents.", ["老照片", "photos"]),
    (2, "history", "家谱收藏目录", "馆藏家谱的姓氏与地域索引。", ["家谱", "genealogy"]),
    (2, "history", "Parish Registers Index", "Births, marriages and deaths, 1700-1900.", ["registers", "genealogy"]),
    (2, "arts", "传统建筑调查", "历史街区传统建筑的测绘与照片。", ["建筑", "历史街区"]),
    (2, "history", "Newspaper Clippings 1950-1990", "Clippings about the district.", ["newspapers"]),
    (2, "maps-geography", "河道变迁图", "河道在各时期的位置。", ["地图", "河道"]),
    (2, "history", "碑刻拓片", "石碑拓片的图像与释文。", ["碑刻", "拓片"]),
    (2, "arts", "Folk Songs Recordings", "Field recordings of folk songs.", ["folk-songs", "audio"]),
    (2, "history", "抗战时期档案", "抗战时期的地方档案。", ["档案", "近代史"]),
    (2, "history", "Street Names History", "Origins of the district's street names.", ["streets", "history"]),
    (2, "history", "非物质文化遗产名录", "本地非物质文化遗产项目。", ["非遗", "heritage"]),
    (0, "literature", "Reading Club Book Lists", "Books discussed by the reading clubs.", ["reading-club"]),
]
PRIVATE = {5, 11, 24, 34}  # staff-only working lists


def ensure(action: str, show: str, data: dict, context: dict) -> tuple[dict, bool]:
    """Create the object unless it exists; return it and whether it is new."""
    try:
        return toolkit.get_action(show)(dict(context), {"id": data["name"]}), False
    except toolkit.ObjectNotFound:
        return toolkit.get_action(action)(dict(context), data), True


def seed() -> None:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx = {"user": site_user["name"], "ignore_auth": True}
    logins: list[tuple[str, str, str]] = []

    def user(name: str, full: str, role: str, sysadmin: bool = False) -> dict:
        password = secrets.token_urlsafe(9)
        obj, new = ensure("user_create", "user_show", {
            "name": name, "fullname": full, "email": f"{name}@example.org",
            "password": password,
        }, ctx)
        if new:
            logins.append((name, password, role))
            if sysadmin:
                toolkit.get_action("user_patch")(dict(ctx), {"id": name, "sysadmin": True})
        return obj

    user("admin", "Portal Administrator", "sysadmin", sysadmin=True)
    orgs = []
    for i, (name, title, description) in enumerate(ORGS):
        org, _ = ensure("organization_create", "organization_show",
                        {"name": name, "title": title, "description": description}, ctx)
        orgs.append(org)
        staff = user(f"staff{i + 1}", f"{title} staff", f"editor of {name}")
        toolkit.get_action("organization_member_create")(
            dict(ctx), {"id": org["id"], "username": staff["name"], "role": "editor"}
        )
    for name, title in GROUPS:
        ensure("group_create", "group_show", {"name": name, "title": title}, ctx)
    for i, full in enumerate(["王小明 Wang Xiaoming", "李娜 Li Na", "Alex Reader"], start=1):
        user(f"reader{i}", full, "reader")

    created = 0
    for n, (org_i, group, title, notes, tags) in enumerate(DATASETS):
        name = f"demo-{n + 1:02d}"
        _, new = ensure("package_create", "package_show", {
            "name": name,
            "title": title,
            "notes": notes,
            "owner_org": orgs[org_i]["id"],
            "private": n in PRIVATE,
            "license_id": "cc-by" if n % 3 else "odc-odbl",
            "tags": [{"name": t} for t in tags],
            "groups": [{"name": group}],
            "resources": [{
                "name": f"{title} ({FORMATS[n % len(FORMATS)]})",
                "url": f"https://example.org/catalogue/{name}.{FORMATS[n % len(FORMATS)].lower()}",
                "format": FORMATS[n % len(FORMATS)],
            }],
        }, ctx)
        created += new

    print(f"Sample catalogue: {len(DATASETS)} datasets ({created} new), "
          f"{len(ORGS)} organizations, {len(GROUPS)} groups.")
    seed_contributions()
    seed_communities()
    seed_recognition()
    seed_loans()
    if logins:
        print("\nLog-ins (shown once; reset with `ckan user setpass NAME`):")
        for name, password, role in logins:
            print(f"  {name:10} {password:14} {role}")
        print()
    else:
        print("Users exist already; their passwords were printed when they were created.")


def seed_contributions() -> None:
    """Readers' tags, a discussion, a question, tasks and feedback, through the
    actions as the sample users; once (skipped when questions exist)."""
    def act(user: str, action: str, **data: object) -> dict:
        return toolkit.get_action(action)({"user": user}, data)

    def named(title: str) -> str:
        """The demo name of the dataset with this title."""
        return next(f"demo-{n + 1:02d}" for n, d in enumerate(DATASETS) if d[2] == title)

    maps, books = named("Historic City Maps"), named("市图书馆古籍目录")

    if act("admin", "crowdsource_question_list")["count"]:
        print("Sample contributions exist already.")
        return
    act("reader1", "crowdsource_tag_add", package_id=books, tag=["善本", "版本学"])
    act("reader2", "crowdsource_tag_add", package_id=books, tag=["善本", "rare books"])
    act("reader3", "crowdsource_tag_add", package_id=maps, tag=["old town", "河道"])
    first = act("reader1", "crowdsource_post_create", package_id=maps,
                body="这批地图里有 1850 年的城墙吗？ Is the 1850 city wall on these maps?")
    act("reader3", "crowdsource_post_create", parent_id=first["id"],
        body="Yes: sheet 4 shows the wall and the **east gate**.")
    question = act("reader2", "crowdsource_question_create", package_id=books,
                   title="这些古籍可以在馆内借阅吗？",
                   body="Can the rare books be read in the reading room, and how?")
    answer = act("reader3", "crowdsource_post_create", thread_id=question["id"],
                 body="Yes, in the rare books room on floor 3; book a seat a day ahead.")
    act("reader2", "crowdsource_answer_accept", id=answer["id"])
    act("staff1", "crowdsource_answer_verify", id=answer["id"])
    act("reader1", "crowdsource_question_create", title="周末开放时间？",
        body="What are the opening hours at weekends?")
    bulk = act("staff3", "crowdsource_task_create_bulk", kind="tag", capacity=2,
               reward_points=10, title="为这套档案添加标签 Tag these records",
               instructions="Give **three** tags that a reader would search for.",
               package_ids=[named("家谱收藏目录"), named("传统建筑调查"), named("河道变迁图")])
    act("staff3", "crowdsource_task_create", package_id=maps, kind="describe",
        title="描述这些地图 Describe the maps", reward_points=20,
        instructions="Who drew them, when, and what do they show?")
    claimed = act("reader2", "crowdsource_task_claim", id=bulk["results"][0]["id"])
    act("reader2", "crowdsource_claim_submit", id=claimed["id"],
        result={"tags": ["家谱", "族谱", "genealogy"]})
    act("reader1", "crowdsource_feedback_create", package_id=named("图书借阅统计 2023"),
        kind="error",
        rating=3, body="2023 年 6 月的数据缺少分馆 B。 June 2023 is missing branch B.")
    request = act("reader3", "crowdsource_feedback_create", kind="request",
                  organization="city-library", title="民国报纸 Republican-era newspapers",
                  body="Could the library digitise its Republican-era newspapers?")
    act("reader1", "crowdsource_request_second", id=request["id"])
    print("Sample contributions: reader tags, a discussion, two questions, four tasks, "
          "feedback and a request.")


COMMUNITIES = [
    # name, title, description, join policy, subject filter, owner, members
    ("local-history", "地方史 Local history",
     "读者一起整理本地的地方志、老照片、家谱与地图。 Readers who piece together the "
     "district's past from gazetteers, photographs, family trees and maps.",
     "open", {"tags": ["地方志", "老照片", "家谱", "genealogy", "history"]},
     "reader3", ["reader1", "reader2"]),
    ("rare-books", "古籍 Rare books",
     "古籍善本的版本、题跋与借阅。 Editions, colophons and reading-room access of the "
     "rare books.",
     "request", {"tags": ["古籍"], "reader_tags": ["善本"]}, "reader2", ["reader1", "reader3"]),
    ("data-journalism", "数据新闻 Data journalism",
     "用图书馆的统计数据讲故事。 Stories told with the library's statistics.",
     "open", {"tags": ["statistics", "统计", "借阅"]}, "reader1", ["reader3"]),
]


def seed_communities() -> None:
    """Three subject communities with members, a community task and a
    community question, through the actions; once (skipped when any exists)."""
    def act(user: str, action: str, **data: object) -> dict:
        return toolkit.get_action(action)({"user": user}, data)

    if act("admin", "crowdsource_community_list")["count"]:
        print("Sample communities exist already.")
        return
    made = {}
    for name, title, description, policy, scope, owner, members in COMMUNITIES:
        made[name] = act("staff1", "crowdsource_community_create", name=name, title=title,
                         description=description, join_policy=policy, scope=scope,
                         owner=owner)
        for reader in members:
            act(reader, "crowdsource_community_join", id=name)
        if policy == "request":  # the owner lets the first reader in; the rest wait
            act(owner, "crowdsource_community_member_request_review", id=name,
                user_id=members[0], decision="approve")
    act("reader3", "crowdsource_community_member_set_role", id="local-history",
        user_id="reader1", role="moderator")
    gazetteer = next(f"demo-{n + 1:02d}" for n, d in enumerate(DATASETS) if d[2] == "地方志")
    act("staff3", "crowdsource_task_create", package_id=gazetteer, kind="transcribe",
        community_id=made["local-history"]["id"], reward_points=30,
        title="转录地方志第一卷 Transcribe volume 1 of the gazetteer",
        instructions="Type out pages 1-10; mark unreadable characters with □.")
    print(f"Sample communities: {len(COMMUNITIES)}, with members and a community task.")


def seed_recognition() -> None:
    """Points, badges and contributions for the leaderboard and the readers'
    profiles: a task result accepted, a request fulfilled, questions asked
    within a community whose answers earn reader3 its expert badge, upvotes
    and points given by hand; once (skipped when the community has an expert)."""
    def act(user: str, action: str, **data: object) -> dict:
        return toolkit.get_action(action)({"user": user}, data)

    if act("admin", "crowdsource_badge_list", badge="community_expert")["count"]:
        print("Sample recognition exists already.")
        return
    submitted = act("staff3", "crowdsource_claim_list", review=True)["results"]
    for claim in submitted:
        act("staff3", "crowdsource_claim_review", id=claim["id"], decision="accept")
    requests = act("staff1", "crowdsource_feedback_list", kind="request")["results"]
    for request in requests[:1]:
        act("staff1", "crowdsource_feedback_set_status", id=request["id"], status="resolved",
            public_answer="已扫描第一批。 The first batch is scanned.")
    asked = [
        ("reader1", "这张老照片拍的是哪条街？", "Which street is on photograph 12?",
         "It is 东大街 East Street, before the 1958 widening."),
        ("reader2", "家谱里的“堂号”是什么意思？", "What does the hall name in a family tree mean?",
         "A hall name (堂号) names the branch of the clan; see the preface of each tree."),
        ("reader1", "地方志第一卷缺页吗？", "Is volume 1 of the gazetteer missing pages?",
         "Pages 41-44 are missing in the scan; the printed copy has them."),
    ]
    for asker, title, body, reply in asked:
        question = act(asker, "crowdsource_question_create", community_id="local-history",
                       title=title, body=body)
        answer = act("reader3", "crowdsource_post_create", thread_id=question["id"], body=reply)
        act(asker, "crowdsource_answer_accept", id=answer["id"])
        act("reader2" if asker == "reader1" else "reader1", "crowdsource_post_vote",
            id=answer["id"], vote=1)
    open_question = act("reader2", "crowdsource_question_list", limit=50)["results"]
    weekend = next((q for q in open_question if q["title"] == "周末开放时间？"), None)
    if weekend:
        answer = act("reader2", "crowdsource_post_create", thread_id=weekend["id"],
                     body="Saturdays 9-17, Sundays 10-16 (the notice board at the door).")
        act("reader1", "crowdsource_answer_accept", id=answer["id"])
    act("staff1", "crowdsource_points_grant", user_id="reader1", points=5,
        note="在开放日帮助读者 Helped readers at the open day")
    board = act("admin", "crowdsource_leaderboard")["results"]
    print("Sample recognition: " + ", ".join(
        f"{r['display_name']} {r['points']}" for r in board[:3]) + " on the leaderboard.")


def seed_loans() -> None:
    """Two lendable datasets (staff-only ones, kept private): a licensed
    collection of three copies, and a clippings archive of one copy, on loan
    to reader1 with two readers in its queue; once (skipped when any exists)."""
    def act(user: str, action: str, **data: object) -> dict:
        return toolkit.get_action(action)({"user": user}, data)

    if act("admin", "crowdsource_lendable_list")["count"]:
        print("Sample loans exist already.")
        return
    licences, clippings = (f"demo-{n + 1:02d}" for n in (24, 34))
    act("staff2", "crowdsource_lendable_set", package_id=licences, copies=3, loan_days=14)
    act("staff3", "crowdsource_lendable_set", package_id=clippings, copies=1, loan_days=7,
        renewals=1)
    act("reader2", "crowdsource_loan_request", package_id=licences)
    for reader in ("reader1", "reader2", "reader3"):
        act(reader, "crowdsource_loan_request", package_id=clippings)
    print("Sample loans: 2 lendable datasets, one with a queue of two readers.")


def main() -> None:
    ini = sys.argv[1] if len(sys.argv) > 1 else "demo/demo.ini"
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        seed()


if __name__ == "__main__":
    main()

"""Discussion in the search index: counts, and "needs help" for open questions."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource.common import needs_help

from .model import post, thread

# Valid in CKAN's stock Solr schema: the catch-all "*" string field.
NUM_COMMENTS, NUM_QUESTIONS = "num_comments", "num_questions"
NEEDS_HELP = needs_help.FIELD
OPEN_QUESTIONS = "questions"  # this capability's value of NEEDS_HELP


def counts(package_ids: list[str]) -> dict[str, dict[str, int]]:
    """Published comments, questions and open questions of each dataset
    (its resources included), in one query."""
    out = {pid: {"comments": 0, "questions": 0, "open_questions": 0} for pid in package_ids}
    if not package_ids:
        return out
    is_question = post.c.kind == "question"
    rows = model.Session.execute(
        sa.select(
            post.c.package_id,
            sa.func.count().filter(sa.and_(post.c.kind == "comment",
                                           thread.c.kind == "discussion")).label("comments"),
            sa.func.count().filter(is_question).label("questions"),
            sa.func.count().filter(sa.and_(is_question, thread.c.status == "open"))
            .label("open_questions"),
        )
        .join(thread, thread.c.id == post.c.thread_id)
        .where(post.c.package_id.in_(package_ids), post.c.state == "published")
        .group_by(post.c.package_id)
    ).all()
    for r in rows:
        out[r.package_id] = {"comments": r.comments, "questions": r.questions,
                             "open_questions": r.open_questions}
    return out


def add_to_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the counts, and "needs help" while a question is open."""
    mine = counts([pkg_dict["id"]])[pkg_dict["id"]]
    pkg_dict[NUM_COMMENTS] = mine["comments"]
    pkg_dict[NUM_QUESTIONS] = mine["questions"]
    if mine["open_questions"]:
        needs_help.add(pkg_dict, OPEN_QUESTIONS)
    return pkg_dict

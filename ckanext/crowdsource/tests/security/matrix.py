"""The permission matrix as data: DESIGN.md section 6 written down once,
every crowdsource action and page mapped to one of its rows, and how a
row's cell decides whether one caller may do one thing.

``tests/security/test_permission_matrix.py`` walks every action of the
capabilities' manifests (``tests/common/catalogue.py``) and every page of
the crowdsource blueprints (``tests/security/forms.py``) through these
rows: an action or a page missing here is a failing test that names it.

Where DESIGN's table says nothing about a case, or says it in a way the
product reads more narrowly, the mapping below overrides the cell for that
action (``columns``) and says why in ``note``: the table itself is never
edited to fit.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# --- DESIGN.md section 6, as written ------------------------------------------

COLUMNS = ("anonymous", "reader", "author", "staff", "sysadmin")


def _row(*cells: str) -> dict[str, str]:
    return dict(zip(COLUMNS, cells, strict=True))


SEE = "see published contributions of a dataset"
SEE_HIDDEN = "see hidden/pending items"
CONTRIBUTE = "tag, comment, ask, answer, vote, flag"
OWN = "edit / delete own post, remove own tag"
MODERATE = "hide / restore / approve any contribution"
BLOCK = "block a tag site-wide"
ACCEPT = "accept an answer"
TASK = "create / edit / cancel a task"
CLAIM = "claim / release / submit"
REVIEW = "review a claim"
SEND = "send feedback"
FEEDBACK = "see / answer feedback"
DASHBOARD = "see the staff dashboard"

DESIGN: dict[str, dict[str, str]] = {
    SEE: _row("if dataset visible", "if visible", "yes", "yes", "yes"),
    SEE_HIDDEN: _row("no", "no", "own", "yes", "yes"),
    CONTRIBUTE: _row("no", "yes", "-", "yes", "yes"),
    OWN: _row("-", "-", "yes", "yes", "yes"),
    MODERATE: _row("no", "no", "no", "yes", "yes"),
    BLOCK: _row("no", "no", "no", "no", "yes"),
    ACCEPT: _row("no", "no", "asker", "yes", "yes"),
    TASK: _row("no", "no", "no", "yes", "yes"),
    CLAIM: _row("no", "yes", "own claim", "yes", "yes"),
    REVIEW: _row("no", "no", "never own", "yes", "yes"),
    SEND: _row("config (default no)", "yes", "-", "yes", "yes"),
    FEEDBACK: _row("no", "own only (requests public)", "own", "yes", "yes"),
    "join / leave a community": _row("no", "yes", "-", "yes", "yes"),
    "moderate a community's threads": _row("no", "community moderators", "-", "yes", "yes"),
    "see own notifications, settings, loans": _row("no", "own only", "own", "own", "yes"),
    "borrow / reserve a lendable dataset": _row("no", "if eligible", "-", "yes", "yes"),
    "approve / revoke loans, set lendable": _row("no", "no", "no", "yes", "yes"),
    "see the staff dashboard": _row("no", "no", "no", "own organizations", "all"),
}

# Rows the product needs that DESIGN's table does not have (reported, not invented
# silently): the one action that belongs to none of DESIGN's rows.
SWEEP = "settle expired claims (the sweeper)"
# Communities (issue 15): DESIGN has rows for joining and for moderating a
# community's threads only. In these rows "author" is the community's owner
# (or, for a proposal, its proposer), and "staff" the library's staff: editors
# and admins of any organization (``Spec.library_wide``). The community's own
# moderators are no role of this matrix: tests/community/test_permissions.py
# walks every cell of every community action with them too.
PROPOSE = "propose a community"
FOUND = "create a community, review proposals"
RUN = "change a community, set its members' roles"
SEE_COMMUNITY = "see a community and its members"
ADMIT = "decide who joins a community"
JOIN = "join / leave a community"
# Recognition (issue 17): a reader's points are public unless the reader
# keeps them private ("author" is the reader whose points they are); the
# library's staff (of any organization) give points by hand.
POINTS = "see a reader's points"
GRANT = "give or take points by hand"
LEADERBOARD = "see leaderboards"
SETTINGS = "see own notifications, settings, loans"
# Notify (issue 16): following is open to every logged-in reader for what
# they can see ("author" follows it already, or is the reader whose follow
# it is).
FOLLOW = "follow / unfollow what one can see"
# Loans (issue 18): "author" is the borrower (of the loan, or of the place in
# a queue); the loan actions are about a lendable dataset each cell makes
# (private, of the organization), so they name no dataset of the world
# (``datasets=SITE``). A lendable dataset's record is public: that is what
# lets readers who cannot see the dataset borrow it.
BORROW = "borrow / reserve a lendable dataset"
LEND = "approve / revoke loans, set lendable"
RECORD = "see a lendable dataset's record and availability"
# the library marks readers verified (for datasets lent to verified readers):
# staff of any organization, for the whole library
VERIFY = "verify readers"
EXTRA: dict[str, dict[str, str]] = {
    FOLLOW: _row("no", "yes", "yes", "yes", "yes"),
    RECORD: _row("yes", "yes", "yes", "yes", "yes"),
    SWEEP: _row("no", "no", "no", "no", "yes"),
    POINTS: _row("yes", "yes", "yes", "yes", "yes"),
    GRANT: _row("no", "no", "no", "yes", "yes"),
    VERIFY: _row("no", "no", "no", "yes", "yes"),
    LEADERBOARD: _row("yes", "yes", "yes", "yes", "yes"),
    PROPOSE: _row("no", "yes", "-", "yes", "yes"),
    FOUND: _row("no", "no", "no", "yes", "yes"),
    RUN: _row("no", "no", "own", "yes", "yes"),
    SEE_COMMUNITY: _row("yes", "yes", "yes", "yes", "yes"),
    ADMIT: _row("no", "no", "own", "yes", "yes"),
}
ROWS: dict[str, dict[str, str]] = {**DESIGN, **EXTRA}

# --- who is who -----------------------------------------------------------------

# The callers of every cell. "author" wrote the item the cell is about (a plain
# reader on the public dataset, a plain member of the organization on the
# private one, where a reader could not have written it); "other_editor" is
# staff of another organization; "member" a plain member of the dataset's
# organization: both are readers here. Staff are editors and admins of the
# dataset's organization (common/roles.py STAFF_ROLES); members are not.
ROLES = ("anonymous", "reader", "author", "other_editor", "member", "editor", "admin",
         "sysadmin")
COLUMN = {"anonymous": "anonymous", "reader": "reader", "author": "author",
          "other_editor": "reader", "member": "reader", "editor": "staff",
          "admin": "staff", "sysadmin": "sysadmin"}
# communities: staff of any organization are the library's staff
LIBRARY_COLUMN = {**COLUMN, "other_editor": "staff"}
STAFF = ("editor", "admin", "sysadmin")
# who can package_show the private dataset (CKAN's permission labels)
SEES_PRIVATE = ("author", "member", "editor", "admin", "sysadmin")
ANY_STAFF = ("other_editor", "editor", "admin", "sysadmin")  # staff of some organization
LOGGED_IN = tuple(r for r in ROLES if r != "anonymous")
NOT_AUTHOR = tuple(r for r in ROLES if r != "author")  # nothing of theirs to act on

DATASETS = ("public", "private")
SITE = ("site",)  # actions about no dataset
# actions about a community: its states are "published" (active) and
# "pending" (a proposal, seen as DESIGN's hidden/pending items are)
COMMUNITY = ("community",)

# How a refusal must show. A caller who cannot see the dataset ("private") or
# the item ("hidden") must not learn about it; one who sees it but may not act
# ("denied") is told so. Lists answer without the item ("omit"); a bulk
# action skips what the caller may not change ("skip").
NOT_AUTHORIZED, NOT_FOUND, OMIT, SKIP = "NotAuthorized", "ObjectNotFound", "omit", "skip"


def sees_dataset(role: str, dataset: str) -> bool:
    """Whether the caller can ``package_show`` the dataset ("site": no dataset)."""
    return dataset != "private" or role in SEES_PRIVATE


def sees_item(role: str, dataset: str, state: str, own: bool = False,
              columns: Mapping[str, str] = COLUMN) -> bool:
    """DESIGN's two reading rows: a published item whoever sees its dataset;
    a hidden or pending one as ``see hidden/pending items`` says."""
    if not sees_dataset(role, dataset):
        return False
    if state in ("published", "-"):
        return True
    column = "author" if own or role == "author" else columns[role]
    return evaluate(DESIGN[SEE_HIDDEN][column], own=own or role == "author")


def evaluate(cell: str, *, own: bool, public_request: bool = False) -> bool:
    """Whether one cell of the table lets the caller act. Visibility of the
    dataset and item is checked apart (:func:`sees_item`), so "if visible"
    is yes here; "-" (nothing to do) is no when tried."""
    # the dashboard's "own organizations": the staff of the cell's dataset's
    # organization (the staff column) see its numbers; "if eligible": the
    # lendable dataset of the cell lends to every registered reader; variants
    # whose rule leaves the caller out say so
    if cell in ("yes", "all", "if visible", "if dataset visible", "own organizations",
                "if eligible"):
        return True
    if cell in ("own", "own claim", "asker", "own only"):
        return own
    if cell == "never own":
        return not own
    if cell == "own only (requests public)":
        return own or public_request
    if cell == "requests public":
        return public_request
    if cell in ("no", "-", "config (default no)"):
        return False
    raise AssertionError(f"no rule for the cell {cell!r}")


# --- actions ----------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One shape of the item a cell is about, with its own states (and,
    where the action does something different on it, its own row, roles or
    overrides)."""

    states: tuple[str, ...] = ("published",)
    row: str | None = None
    roles: tuple[str, ...] | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    own: bool = False  # the caller acts on an item of their own (whatever their role)
    public_request: bool = False  # the item is a published request (public)
    gate: tuple[str, ...] | None = None  # as Spec.gate, for this variant
    refusals: Mapping[str, str] = field(default_factory=dict)  # as Spec.refusals


@dataclass(frozen=True)
class Spec:
    """One action's place in the matrix."""

    row: str
    kind: str  # "write", "read" (one object) or "list"
    datasets: tuple[str, ...] = DATASETS
    roles: tuple[str, ...] = ROLES
    variants: Mapping[str, Variant] = field(default_factory=lambda: {"": Variant()})
    columns: Mapping[str, str] = field(default_factory=dict)  # overrides, see note
    # a list: who may call it at all (others: NotAuthorized); None: anyone
    gate: tuple[str, ...] | None = None
    # how a refusal shows where it is not the default of _refusal_outcome: by
    # kind ("private", "hidden", "denied"), or "anonymous" for every refusal
    # of a visitor
    refusals: Mapping[str, str] = field(default_factory=dict)
    # staff of any organization count as staff (communities are the library's)
    library_wide: bool = False
    note: str = ""


_V = Variant


def _staff_own() -> Variant:
    """The item is the acting staff member's own (DESIGN's staff "yes" in own-item rows)."""
    return Variant(roles=STAFF, own=True)


POST_STATES = ("published", "hidden", "pending")

# Tasks meant for a community that let its moderators review (issue 15):
# the readers of the matrix (the reader, the organization's plain member and
# the other organization's editor) moderate the community of the cell's task;
# its owner is a third person, so the author (whose claim it is) is none.
COMMUNITY_MODERATORS = ("reader", "member", "other_editor")
_MODERATED = Variant(columns={"reader": "yes"})
_MODERATED_NOTE = ("'community': the task is meant for a community the readers moderate "
                   "and lets its moderators review (community_review): they review its "
                   "claims on the datasets they can see, never their own")

ACTIONS: dict[str, Spec] = {
    # --- reader tags -------------------------------------------------------------
    "crowdsource_tag_add": Spec(CONTRIBUTE, "write", roles=NOT_AUTHOR),
    "crowdsource_tag_remove": Spec(
        OWN, "write", variants={"": _V(), "own": _staff_own()},
        columns={"staff": "no", "sysadmin": "no"}, refusals={"denied": NOT_FOUND},
        note="remove takes the caller's own row of a tag: another reader's tag is not "
             "theirs to remove (ObjectNotFound: they never gave it); staff hide it instead"),
    "crowdsource_tag_list": Spec(SEE, "list", variants={"": _V(("published", "hidden"))},
                                 refusals={"private": NOT_AUTHORIZED}),
    "crowdsource_tag_cloud": Spec(SEE, "list"),
    "crowdsource_tag_datasets": Spec(SEE, "list"),
    "crowdsource_tag_hide": Spec(MODERATE, "write"),
    "crowdsource_tag_restore": Spec(
        MODERATE, "write", variants={"": _V(("hidden",))}, refusals={"hidden": NOT_AUTHORIZED},
        note="tag moderation asks for staff before it looks the tag up: others are "
             "refused alike whether the tag exists, is hidden, or not"),
    "crowdsource_tag_promote": Spec(
        MODERATE, "write",
        note="promoting a reader tag to an official tag is staff curation of a contribution"),
    "crowdsource_tag_block": Spec(BLOCK, "write", datasets=SITE),
    "crowdsource_tag_unblock": Spec(BLOCK, "write", datasets=SITE),
    "crowdsource_tag_block_list": Spec(BLOCK, "read", datasets=SITE),
    # --- moderation core -------------------------------------------------------------
    "crowdsource_flag_create": Spec(
        CONTRIBUTE, "write",
        variants={"post": _V(POST_STATES), "tag": _V(("published", "hidden")),
                  "request": _V(("published", "hidden"))},
        columns={"author": "no"}, refusals={"private": NOT_FOUND},
        note="DESIGN leaves the author's cell empty: authors do not flag their own work "
             "(they edit, delete or remove it). The moderation core answers a caller who "
             "cannot see the item as if it did not exist, private dataset included"),
    "crowdsource_flag_review": Spec(MODERATE, "write", variants={"post": _V(), "tag": _V()},
                                    refusals={"private": NOT_FOUND}),
    "crowdsource_moderation_decide": Spec(
        MODERATE, "write",
        variants={"post": _V(POST_STATES), "tag": _V(("published", "hidden")),
                  "request": _V(("published", "hidden"))},
        refusals={"private": NOT_FOUND},
        note="the decision follows the state: hide a published item, restore a hidden "
             "one, approve a pending one"),
    "crowdsource_moderation_list": Spec(MODERATE, "list", gate=ANY_STAFF,
                                        variants={"": _V(("hidden", "pending"))}),
    "crowdsource_moderation_log_list": Spec(MODERATE, "list", gate=ANY_STAFF),
    # --- discussion and Q&A ---------------------------------------------------------
    "crowdsource_post_create": Spec(
        CONTRIBUTE, "write",
        variants={"comment": _V(roles=NOT_AUTHOR), "reply": _V(POST_STATES),
                  "answer": _V(POST_STATES)},
        columns={"author": "yes"},
        note="replying under one's own post or answering one's own question is taking "
             "part like any reader (DESIGN leaves the author's cell empty)"),
    "crowdsource_post_show": Spec(SEE, "read", variants={"": _V(POST_STATES)}),
    "crowdsource_post_update": Spec(
        OWN, "write", variants={"": _V(POST_STATES), "own": _staff_own()},
        columns={"staff": "no", "sysadmin": "no"},
        note="staff hide or delete readers' posts, they do not rewrite them: DESIGN's staff "
             "and sysadmin 'yes' is read as their own posts (variant 'own')"),
    "crowdsource_post_delete": Spec(OWN, "write",
                                    variants={"": _V(POST_STATES), "own": _staff_own()}),
    "crowdsource_post_history": Spec(
        MODERATE, "read",
        note="earlier versions of an edited post are for the staff who moderate it"),
    "crowdsource_post_vote": Spec(
        CONTRIBUTE, "write", columns={"author": "no"},
        note="nobody votes on their own post (DESIGN leaves the author's cell empty)"),
    "crowdsource_thread_show": Spec(
        SEE, "read", variants={"question": _V(POST_STATES), "discussion": _V(
            POST_STATES, refusals={"hidden": OMIT})},
        note="'discussion': the dataset's discussion with a comment in the cell's state; "
             "to a caller who may not see the comment, without it"),
    "crowdsource_thread_list": Spec(SEE, "list", variants={"": _V(POST_STATES)},
                                    refusals={"private": NOT_AUTHORIZED}),
    "crowdsource_question_create": Spec(
        CONTRIBUTE, "write", roles=NOT_AUTHOR,
        variants={"": _V(), "community": _V(),
                  "outsider": _V(columns={"reader": "no", "staff": "no"})},
        note="'community': asked within a community every caller is a member of; "
             "'outsider': within one none of them is in: only a community's members ask "
             "within it (sysadmins pass every auth function in CKAN)"),
    "crowdsource_question_list": Spec(
        SEE, "list", variants={"site": _V(POST_STATES), "dataset": _V(
            POST_STATES, refusals={"private": NOT_AUTHORIZED}), "community": _V(POST_STATES)},
        note="'site': every question; 'dataset': one dataset's (package_id); 'community': "
             "those asked within a community (community_id), which lists no question on a "
             "dataset the caller cannot see"),
    "crowdsource_question_close": Spec(
        MODERATE, "write", note="closing a question is moderating it"),
    "crowdsource_question_reopen": Spec(
        MODERATE, "write", note="reopening a question is moderating it"),
    "crowdsource_answer_accept": Spec(ACCEPT, "write"),
    "crowdsource_answer_verify": Spec(
        MODERATE, "write",
        note="verifying an answer is the library vouching for it: staff only"),
    # --- tasks and claims -------------------------------------------------------------
    "crowdsource_task_create": Spec(TASK, "write", roles=NOT_AUTHOR),
    "crowdsource_task_create_bulk": Spec(
        TASK, "write", roles=NOT_AUTHOR, gate=ANY_STAFF,
        refusals={"private": SKIP, "denied": SKIP},
        note="staff of another organization may call it, and the dataset is skipped (as "
             "'not found' when they cannot see it)"),
    "crowdsource_task_update": Spec(TASK, "write", roles=NOT_AUTHOR),
    "crowdsource_task_cancel": Spec(TASK, "write", roles=NOT_AUTHOR),
    "crowdsource_task_show": Spec(SEE, "read", roles=NOT_AUTHOR),
    "crowdsource_task_list": Spec(SEE, "list", roles=NOT_AUTHOR,
                                  variants={"board": _V(), "dataset": _V()}),
    "crowdsource_task_next": Spec(
        CLAIM, "write", roles=NOT_AUTHOR,
        variants={"": _V(), "outsider": _V(columns={"reader": "no", "staff": "no"},
                                          refusals={"denied": NOT_FOUND})},
        refusals={"private": NOT_FOUND, "anonymous": NOT_AUTHORIZED},
        note="offers tasks on datasets the caller can see: none here is 'no task waiting'; "
             "the tasks are meant for a community every caller is a member of, or "
             "('outsider') for one none of them is in: only its members are offered them"),
    "crowdsource_task_claim": Spec(
        CLAIM, "write", roles=NOT_AUTHOR,
        variants={"": _V(), "community": _V(),
                  "outsider": _V(columns={"reader": "no", "staff": "no"})},
        note="'community': a task meant for a community every caller is a member of; "
             "'outsider': for one none of them is in: only its members claim it, the "
             "dataset's staff included (sysadmins pass every auth function in CKAN)"),
    **{f"crowdsource_claim_{verb}": Spec(
        CLAIM, "write", columns={"reader": "no", "staff": "no", "sysadmin": "no"},
        note="work on a claim is its reader's alone: DESIGN's 'yes' for readers, staff "
             "and sysadmins is their own claims")
       for verb in ("extend", "save_draft", "release", "submit")},
    "crowdsource_claim_review": Spec(
        REVIEW, "write", variants={"": _V(), "own": _staff_own(), "community": _MODERATED},
        note="variant 'own': staff who claimed the task themselves ('never own'); "
             f"{_MODERATED_NOTE}"),
    "crowdsource_claim_apply": Spec(
        REVIEW, "write", variants={"": _V(), "community": _MODERATED},
        note="putting an accepted result into the catalogue is part of reviewing it; "
             f"{_MODERATED_NOTE}"),
    "crowdsource_claim_show": Spec(
        CLAIM, "read", columns={"reader": "no"}, variants={"": _V(), "community": _MODERATED},
        note="a claim is seen by its reader and those who review it; "
             f"{_MODERATED_NOTE}"),
    "crowdsource_claim_list": Spec(
        CLAIM, "list", gate=LOGGED_IN,
        variants={"task": _V(columns={"reader": "no"}),
                  "review": _V(row=REVIEW, gate=ANY_STAFF),
                  "community_review": _V(row=REVIEW, columns={"reader": "yes"},
                                         refusals={"denied": NOT_AUTHORIZED})},
        note="'task': a task's claims (readers see their own); 'review': the review queue, "
             "for staff of some organization; 'community_review': a community's queue "
             "(review with community_id), for staff and the community's moderators, who "
             f"are the readers here; {_MODERATED_NOTE}"),
    "crowdsource_claims_expire": Spec(SWEEP, "write", datasets=SITE, roles=NOT_AUTHOR),
    # --- feedback and requests ---------------------------------------------------------
    "crowdsource_feedback_create": Spec(SEND, "write", roles=NOT_AUTHOR),
    "crowdsource_feedback_show": Spec(
        FEEDBACK, "read",
        variants={"error": _V(), "request": _V(("published", "hidden"), public_request=True)},
        columns={"anonymous": "requests public"}, refusals={"hidden": NOT_AUTHORIZED},
        note="requests are public (DESIGN section 5): visitors see a published request "
             "too, as crowdsource_request_list shows it to them. Feedback refuses a caller "
             "who may not see an item with NotAuthorized, hidden or not"),
    "crowdsource_feedback_list": Spec(
        FEEDBACK, "list",
        variants={"inbox": _V(columns={"author": "no"}, gate=ANY_STAFF),
                  "mine": _V(columns={"staff": "no", "sysadmin": "no"}, gate=LOGGED_IN)},
        note="'inbox': the staff inbox (the author reads their own with 'mine'); "
             "'mine': the caller's own feedback only, staff's too"),
    "crowdsource_feedback_summary": Spec(FEEDBACK, "list", columns={"author": "no"},
                                         gate=ANY_STAFF, note="the inbox's counts"),
    "crowdsource_feedback_export": Spec(FEEDBACK, "list", columns={"author": "no"},
                                        gate=ANY_STAFF, note="the inbox, exported"),
    "crowdsource_feedback_reply": Spec(
        FEEDBACK, "write", variants={"error": _V(), "request": _V(public_request=True)},
        columns={"reader": "no"},
        note="the public sees a request, but its conversation is between its author "
             "and the staff"),
    "crowdsource_feedback_set_status": Spec(
        FEEDBACK, "write", variants={"error": _V(), "request": _V(public_request=True)},
        columns={"reader": "no", "author": "no"},
        note="answering with a status is the staff's; authors answer with a reply"),
    "crowdsource_feedback_set_status_bulk": Spec(
        FEEDBACK, "write", columns={"reader": "no", "author": "no"},
        note="as crowdsource_feedback_set_status, for many"),
    "crowdsource_request_second": Spec(
        CONTRIBUTE, "write", variants={"": _V(("published", "hidden"))},
        columns={"author": "no"}, refusals={"hidden": NOT_AUTHORIZED},
        note="a 'me too' is a reader's vote on someone else's request"),
    "crowdsource_request_list": Spec(
        SEE, "list",
        variants={"": _V(), "hidden": _V(("hidden",), columns={
            "author": "no", "staff": "no", "sysadmin": "no"})},
        note="the public list of requests lists published requests only, to everyone: "
             "staff find hidden ones in the moderation queue, authors on their own page"),
    "crowdsource_rating_summary": Spec(SEE, "read"),
    # --- communities ----------------------------------------------------------------
    "crowdsource_community_propose": Spec(PROPOSE, "write", datasets=COMMUNITY,
                                          roles=NOT_AUTHOR, library_wide=True),
    "crowdsource_community_create": Spec(FOUND, "write", datasets=COMMUNITY, roles=NOT_AUTHOR,
                                         library_wide=True),
    "crowdsource_community_review": Spec(
        FOUND, "write", datasets=COMMUNITY, variants={"": _V(("pending",))}, library_wide=True,
        note="the proposer sees their proposal but does not approve it"),
    "crowdsource_community_update": Spec(
        RUN, "write", datasets=COMMUNITY, variants={"": _V(("published", "pending"))},
        library_wide=True, note="'pending': the proposer changes their proposal while it waits"),
    "crowdsource_community_show": Spec(
        SEE_COMMUNITY, "read", datasets=COMMUNITY, variants={"": _V(("published", "pending"))},
        library_wide=True),
    "crowdsource_community_list": Spec(
        SEE_COMMUNITY, "list", datasets=COMMUNITY, library_wide=True,
        variants={"": _V(), "proposed": _V(("pending",))},
        note="'proposed': the list of proposals (status=proposed), each seen by its "
             "proposer and the staff"),
    "crowdsource_community_join": Spec(JOIN, "write", datasets=COMMUNITY, roles=NOT_AUTHOR,
                                       library_wide=True),
    "crowdsource_community_leave": Spec(
        JOIN, "write", datasets=COMMUNITY, roles=NOT_AUTHOR, library_wide=True,
        note="every caller is a member of the community first; its owner (the author) "
             "is its last and cannot leave"),
    "crowdsource_community_member_list": Spec(
        SEE_COMMUNITY, "list", datasets=COMMUNITY, library_wide=True,
        variants={"": _V(), "waiting": _V(row=ADMIT, refusals={"denied": NOT_AUTHORIZED})},
        note="'waiting': the readers asking to join (state=pending), for those who decide"),
    "crowdsource_community_member_set_role": Spec(RUN, "write", datasets=COMMUNITY,
                                                  library_wide=True),
    "crowdsource_community_member_request_review": Spec(ADMIT, "write", datasets=COMMUNITY,
                                                        library_wide=True),
    # --- recognition ------------------------------------------------------------------
    "crowdsource_points_list": Spec(
        POINTS, "list", variants={"": _V(), "private": _V(
            columns={"anonymous": "no", "reader": "no", "staff": "no"},
            refusals={"private": NOT_AUTHORIZED, "denied": NOT_AUTHORIZED})},
        note="the author's points for an answer accepted on the dataset; 'private': the "
             "author keeps their points private, and others are refused before any row"),
    "crowdsource_points_summary": Spec(
        POINTS, "read", datasets=SITE, variants={"": _V(), "private": _V(
            columns={"anonymous": "no", "reader": "no", "staff": "no"})},
        note="the author's totals (points given by hand); 'private' as for the list"),
    "crowdsource_share_record": Spec(
        SEE, "write", note="a share of the dataset: whoever may see it, visitors too"),
    "crowdsource_leaderboard": Spec(LEADERBOARD, "list", datasets=SITE),
    "crowdsource_points_recent": Spec(
        LEADERBOARD, "list", datasets=SITE,
        note="an answer accepted on the public dataset: public datasets only, for everyone"),
    "crowdsource_recognition_settings_show": Spec(
        SETTINGS, "read", datasets=SITE, variants={"": _V(), "own": _V(roles=LOGGED_IN, own=True)},
        note="the author's settings; 'own': the caller's own, whoever they are"),
    "crowdsource_recognition_settings_update": Spec(
        SETTINGS, "write", datasets=SITE,
        variants={"": _V(), "own": _V(roles=LOGGED_IN, own=True)},
        note="as crowdsource_recognition_settings_show"),
    "crowdsource_contribution_list": Spec(
        POINTS, "list", variants={"": _V(), "private": _V(
            columns={"anonymous": "no", "reader": "no", "staff": "no"},
            refusals={"private": NOT_AUTHORIZED, "denied": NOT_AUTHORIZED})},
        note="the author's answer on the dataset, in their contributions: listed to whoever "
             "sees the dataset; 'private' as for crowdsource_points_list. Hidden items leave "
             "every profile (tests/recognition/test_badges.py)"),
    "crowdsource_contribution_summary": Spec(
        POINTS, "read", datasets=SITE, variants={"": _V(), "private": _V(
            columns={"anonymous": "no", "reader": "no", "staff": "no"})},
        note="the author's counts per kind (a tag on the public dataset); 'private' as for "
             "crowdsource_points_summary"),
    "crowdsource_badge_list": Spec(
        POINTS, "list", datasets=SITE, variants={"": _V(), "holders": _V(), "private": _V(
            columns={"anonymous": "no", "reader": "no", "staff": "no"},
            refusals={"denied": NOT_AUTHORIZED})},
        note="the author's first-tag badge; 'holders': everyone who holds it (no user_id); "
             "'private': the author keeps their profile private, and others are refused"),
    "crowdsource_points_grant": Spec(GRANT, "write", datasets=SITE, roles=NOT_AUTHOR,
                                     library_wide=True,
                                     note="to a reader who is not the caller"),
    # --- notify ---------------------------------------------------------------------
    "crowdsource_notification_list": Spec(
        SETTINGS, "list", variants={"": _V(columns={"sysadmin": "no"}),
                                    "own": _V(roles=LOGGED_IN, own=True)},
        refusals={"anonymous": NOT_AUTHORIZED},
        note="the author's notification about the dataset; 'own': the caller's own. "
             "Everyone lists only their own notifications, sysadmins too (DESIGN's "
             "sysadmin 'yes' is read as their own: a notification is a message to one "
             "reader); one about a dataset the caller can no longer see is left out"),
    "crowdsource_notification_count": Spec(
        SETTINGS, "list", variants={"visitor": _V(roles=("anonymous",)),
                                    "own": _V(roles=LOGGED_IN, own=True)},
        refusals={"anonymous": NOT_AUTHORIZED},
        note="'own': the caller's new notification about the dataset counts in their "
             "unread count while they can see the dataset; visitors are refused (that "
             "others' notifications never count is crowdsource_notification_list's '' "
             "cells: both read through one condition)"),
    "crowdsource_notification_mark_read": Spec(
        SETTINGS, "write", variants={"": _V(columns={"sysadmin": "no"}),
                                     "own": _V(roles=LOGGED_IN, own=True)},
        refusals={"private": NOT_FOUND, "denied": NOT_FOUND, "anonymous": NOT_AUTHORIZED},
        note="as crowdsource_notification_list; a notification that is not the caller's "
             "(or about a dataset they cannot see) is not found, whoever asks"),
    "crowdsource_notify_settings_show": Spec(
        SETTINGS, "read", datasets=SITE, variants={"": _V(), "own": _V(roles=LOGGED_IN, own=True)},
        note="the author's settings; 'own': the caller's own, whoever they are"),
    "crowdsource_notify_settings_update": Spec(
        SETTINGS, "write", datasets=SITE,
        variants={"": _V(), "own": _V(roles=LOGGED_IN, own=True)},
        note="as crowdsource_notify_settings_show"),
    "crowdsource_notify_unsubscribe": Spec(
        SETTINGS, "write", datasets=SITE,
        columns={"anonymous": "yes", "reader": "yes", "staff": "yes", "sysadmin": "yes"},
        note="the author's unsubscribe link from a mail (its signed token): whoever holds "
             "the link stops the author's e-mail, logged out too (a mail is read anywhere); "
             "the token is the proof, and a wrong one is not found"),
    "crowdsource_follow": Spec(
        FOLLOW, "write", refusals={"private": NOT_FOUND, "anonymous": NOT_AUTHORIZED},
        note="following the dataset; one who cannot see it is told it does not exist"),
    "crowdsource_unfollow": Spec(
        SETTINGS, "write", datasets=SITE,
        variants={"": _V(columns={"sysadmin": "no"}), "own": _V(roles=LOGGED_IN, own=True)},
        refusals={"denied": NOT_FOUND},
        note="the author's follow of the public dataset; 'own': the caller's own. Unfollow "
             "names the caller's own follow (one may always stop following, even what one "
             "can no longer see): others have none to drop (ObjectNotFound)"),
    "crowdsource_follow_list": Spec(
        SETTINGS, "list", datasets=SITE,
        variants={"": _V(columns={"sysadmin": "no"}), "own": _V(roles=LOGGED_IN, own=True)},
        refusals={"anonymous": NOT_AUTHORIZED},
        note="the author's follow of the public dataset; 'own': the caller's own; everyone "
             "lists only their own follows"),
    # --- insight -------------------------------------------------------------------------
    "crowdsource_stats_show": Spec(
        DASHBOARD, "read",
        note="the dataset's organization's numbers (organization named): a reader tag on "
             "the cell's dataset is counted; staff of another organization and plain "
             "members are refused, the dataset public or private"),
    # --- loans --------------------------------------------------------------------------
    "crowdsource_lendable_set": Spec(LEND, "write", datasets=SITE, roles=NOT_AUTHOR),
    "crowdsource_lendable_show": Spec(RECORD, "read", datasets=SITE),
    "crowdsource_lendable_list": Spec(RECORD, "list", datasets=SITE),
    "crowdsource_loan_request": Spec(
        BORROW, "write", datasets=SITE, roles=NOT_AUTHOR,
        variants={"": _V(), "outsider": _V(columns={"reader": "no"})},
        note="'': a dataset any registered reader may borrow; 'outsider': one lent to the "
             "members of a community none of the callers is in (its staff still borrow)"),
    "crowdsource_loan_approve": Spec(LEND, "write", datasets=SITE),
    "crowdsource_loan_decline": Spec(LEND, "write", datasets=SITE),
    "crowdsource_loan_revoke": Spec(LEND, "write", datasets=SITE),
    "crowdsource_loan_renew": Spec(
        SETTINGS, "write", datasets=SITE, columns={"staff": "yes"},
        note="the borrower's loan; the staff of its dataset's organization run the loan "
             "desk (DESIGN's 'approve / revoke loans') and renew or take back any loan"),
    "crowdsource_loan_return": Spec(SETTINGS, "write", datasets=SITE, columns={"staff": "yes"},
                                    note="as crowdsource_loan_renew"),
    "crowdsource_loan_show": Spec(SETTINGS, "read", datasets=SITE, columns={"staff": "yes"},
                                  note="as crowdsource_loan_renew"),
    "crowdsource_reservation_cancel": Spec(SETTINGS, "write", datasets=SITE,
                                           columns={"staff": "yes"},
                                           note="the borrower's place in a queue; staff as "
                                                "for crowdsource_loan_renew"),
    "crowdsource_loan_list": Spec(
        SETTINGS, "list", datasets=SITE, refusals={"anonymous": NOT_AUTHORIZED},
        variants={"": _V(columns={"sysadmin": "own"}), "dataset": _V(
            columns={"author": "no", "staff": "yes"}, refusals={"denied": NOT_AUTHORIZED}),
            "desk": _V(columns={"author": "no", "staff": "yes"}, gate=ANY_STAFF)},
        note="'': without a filter, the caller's own loans (a sysadmin's too): the "
             "author's loan is listed to the author alone; 'dataset': a dataset's loans "
             "(package_id), its staff's; 'desk': every loan of the organizations the "
             "caller is staff of"),
    "crowdsource_reservation_list": Spec(
        SETTINGS, "list", datasets=SITE, refusals={"anonymous": NOT_AUTHORIZED},
        variants={"": _V(columns={"sysadmin": "own"}), "dataset": _V(
            columns={"author": "no", "staff": "yes"}, refusals={"denied": NOT_AUTHORIZED}),
            "desk": _V(columns={"author": "no", "staff": "yes"}, gate=ANY_STAFF)},
        note="as crowdsource_loan_list, for places in queues"),
    "crowdsource_loans_expire": Spec(SWEEP, "write", datasets=SITE),
    "crowdsource_reader_verify": Spec(VERIFY, "write", datasets=SITE, roles=NOT_AUTHOR,
                                      library_wide=True, note="a reader who is not the caller"),
    "crowdsource_reader_verified_list": Spec(
        VERIFY, "list", datasets=SITE, roles=NOT_AUTHOR, library_wide=True, gate=ANY_STAFF,
        note="the readers the library verified: the cell's reader is listed to staff"),
}


def row_of(action_spec: Spec, variant: Variant) -> str:
    """The row of DESIGN's table (or of EXTRA) the variant's cells follow."""
    return variant.row or action_spec.row


@dataclass(frozen=True)
class Cell:
    """One caller, one thing, one situation: what must happen."""

    action: str
    role: str
    dataset: str
    variant: str
    state: str
    allowed: bool
    refusal: str  # "" when allowed; else "private", "hidden" or "denied"
    outcome: str  # "ok", or NOT_AUTHORIZED, NOT_FOUND, OMIT, SKIP

    def __str__(self) -> str:
        where = "/".join(x for x in (self.dataset, self.variant, self.state) if x)
        return f"{self.action} as {self.role} [{where}]"


def _refusal_outcome(action_spec: Spec, variant: Variant, gate: tuple[str, ...] | None,
                     role: str, refusal: str) -> str:
    """How a refusal shows. By default: a caller who may not use the action
    at all, NotAuthorized; a list leaves out what the caller may not see; a
    caller who cannot see the dataset, NotAuthorized (CKAN's package_show
    answer), who cannot see the item, ObjectNotFound; a visitor where a
    user is needed, NotAuthorized."""
    if gate is not None and role not in gate:
        return NOT_AUTHORIZED
    refusals = {**action_spec.refusals, **variant.refusals}
    if role == "anonymous" and "anonymous" in refusals:
        return refusals["anonymous"]
    if role == "anonymous" and refusal == "denied" and action_spec.kind != "list":
        return NOT_AUTHORIZED
    if refusal in refusals:
        return refusals[refusal]
    if action_spec.kind == "list":
        return OMIT
    return NOT_FOUND if refusal == "hidden" else NOT_AUTHORIZED


def cells(action: str) -> list[Cell]:
    """Every cell of the action, with what must happen in it."""
    s = ACTIONS[action]
    out = []
    for name, variant in s.variants.items():
        row = ROWS[row_of(s, variant)]
        gate = variant.gate if variant.gate is not None else s.gate
        columns = LIBRARY_COLUMN if s.library_wide else COLUMN
        for role in variant.roles if variant.roles is not None else s.roles:
            own = variant.own or role == "author"
            column = "author" if own else columns[role]
            value = {**s.columns, **variant.columns}.get(column, row[column])
            for dataset in s.datasets:
                for state in variant.states if dataset != "site" else ("-",):
                    if not sees_dataset(role, dataset):
                        refusal = "private"
                    elif not sees_item(role, dataset, state, own, columns):
                        refusal = "hidden"
                    elif not evaluate(value, own=own, public_request=variant.public_request
                                      and state == "published"):
                        refusal = "denied"
                    else:
                        refusal = ""
                    if gate is not None and role not in gate and not refusal:
                        refusal = "denied"
                    outcome = _refusal_outcome(s, variant, gate, role, refusal) if refusal else "ok"
                    out.append(Cell(action, role, dataset, name, state, not refusal,
                                    refusal, outcome))
    return out


# --- pages --------------------------------------------------------------------------

@dataclass(frozen=True)
class PageSpec:
    """One GET page of a crowdsource blueprint: the row it shows, what its URL
    names (``dataset``, ``question``, ``post``, ``feedback``, ``task``; ""
    for a page of the site), who gets it and who finds the cell's item on
    it, and the status a refused caller gets.

    A page that names an object on a dataset the caller cannot see is
    refused; a page of the site is served, without what the caller may not
    see."""

    row: str
    names: str = ""
    allowed: tuple[str, ...] | None = None  # None: everyone
    shows: tuple[str, ...] | None = None  # None: whoever gets the page
    refused_status: int = 404
    args: Mapping[str, str] = field(default_factory=dict)
    public_only: bool = False  # it shows what is about public datasets alone, to everyone
    # the cell's item belongs to no dataset (a community in the list of
    # communities): whoever gets the page finds it
    dataset_free: bool = False

    def status(self, role: str, dataset: str) -> int:
        if self.allowed is not None and role not in self.allowed:
            return self.refused_status
        if self.names and not sees_dataset(role, dataset):
            return 404
        return 200

    def finds(self, role: str, dataset: str) -> bool:
        """Whether the caller finds the item of the cell on the page."""
        who = self.shows if self.shows is not None else self.allowed
        if self.public_only and dataset != "public":
            return False
        return (self.status(role, dataset) == 200
                and (self.dataset_free or sees_dataset(role, dataset))
                and (who is None or role in who))


PAGES: dict[str, PageSpec] = {
    "crowdsource_discussion.discussion": PageSpec(SEE, "dataset"),
    "crowdsource_discussion.questions": PageSpec(SEE, "dataset"),
    "crowdsource_discussion.site_questions": PageSpec(SEE),
    "crowdsource_discussion.question": PageSpec(SEE, "question"),
    "crowdsource_discussion.history": PageSpec(MODERATE, "post", allowed=STAFF),
    "crowdsource_discussion.replies": PageSpec(SEE, "post"),
    "crowdsource_feedback.requests_page": PageSpec(SEE),
    # visitors are sent to log in; readers get their own feedback, staff the inbox
    "crowdsource_feedback.inbox": PageSpec(FEEDBACK, allowed=LOGGED_IN, shows=("author",) + STAFF,
                                           refused_status=302),
    "crowdsource_feedback.export": PageSpec(FEEDBACK, allowed=ANY_STAFF, shows=STAFF,
                                            refused_status=403, args={"fmt": "csv"}),
    "crowdsource_feedback.item": PageSpec(FEEDBACK, "feedback", allowed=("author",) + STAFF),
    "crowdsource_moderation.queue": PageSpec(MODERATE, allowed=ANY_STAFF, shows=STAFF,
                                             refused_status=403),
    "crowdsource_tags.cloud": PageSpec(SEE, "dataset"),
    "crowdsource_tags.site_cloud": PageSpec(SEE),
    "crowdsource_tasks.board": PageSpec(SEE),
    "crowdsource_tasks.task_page": PageSpec(SEE, "task"),
    # the QR code of the dataset's address: its title is the SVG's title
    "crowdsource_share.qr": PageSpec(SEE, "dataset", args={"item_type": "dataset"}),
    "crowdsource_tasks.dataset_tasks": PageSpec(SEE, "dataset"),
    "crowdsource_tasks.review_queue": PageSpec(REVIEW, allowed=ANY_STAFF, shows=STAFF,
                                               refused_status=403),
    # "Take part": its blocks list open questions, open tasks and requests
    "crowdsource_home.hub": PageSpec(SEE),
    # the list of communities: a community found by its name (its proposals
    # waiting are the list action's cells); a community's page: its open
    # tasks and its group's datasets, the private one only to those who see it
    "crowdsource_community.index": PageSpec(SEE_COMMUNITY, dataset_free=True),
    "crowdsource_community.read": PageSpec(SEE_COMMUNITY),
    # a reader with points for an answer accepted on the dataset: the
    # leaderboard counts public datasets alone, the reader's page shows the
    # points of the datasets the viewer sees (the URL names the reader)
    "crowdsource_recognition.leaderboard": PageSpec(LEADERBOARD, public_only=True),
    "crowdsource_recognition.contributions": PageSpec(POINTS),
    # one's own notifications and settings: visitors are sent to log in; the
    # cell's item is the author's notification about the dataset (listed to
    # them while they see the dataset); the bell's count shows no item
    "crowdsource_notify.index": PageSpec(SETTINGS, allowed=LOGGED_IN, shows=("author",),
                                         refused_status=302),
    "crowdsource_notify.bell": PageSpec(SETTINGS, shows=()),
    "crowdsource_notify.settings": PageSpec(SETTINGS, allowed=LOGGED_IN, shows=(),
                                            refused_status=302),
    # the confirmation page of the author's unsubscribe link: everyone with
    # the link gets it, logged out too, and it does not say whose link it is
    "crowdsource_notify.unsubscribe": PageSpec(SETTINGS, shows=(), dataset_free=True),
    # the dashboard: for staff of any organization, each seeing their own
    # organizations' numbers (it shows no reader tag, the cell's item); its
    # requests as CSV (the most seconded first,
    # as many as a list gives): an open request on the cell's dataset is
    # there for the staff of its organization alone
    "crowdsource_insight.stats": PageSpec(DASHBOARD, allowed=ANY_STAFF, shows=(),
                                          refused_status=403),
    "crowdsource_insight.csv": PageSpec(DASHBOARD, allowed=ANY_STAFF, shows=STAFF,
                                        refused_status=403, args={"metric": "requests"}),
    # loans: a lendable dataset's record (everyone); my loans (the
    # borrower's loan, whose return button names it); the loan desk (a
    # request waiting for approval); the staff form of a dataset to lend
    "crowdsource_loans.item": PageSpec(RECORD, dataset_free=True),
    "crowdsource_loans.mine": PageSpec(SETTINGS, allowed=LOGGED_IN, shows=("author",),
                                       refused_status=302, dataset_free=True),
    "crowdsource_loans.manage": PageSpec(LEND, allowed=ANY_STAFF, shows=STAFF,
                                         refused_status=403, dataset_free=True),
    "crowdsource_loans.lend": PageSpec(LEND, allowed=STAFF, dataset_free=True),
}

# who gets the pages: every role but the organization's admin (staff like its
# editor, whom every action cell checks apart)
PAGE_ROLES = tuple(r for r in ROLES if r != "admin")

# The POST forms: each verb, the action it runs and the variant and state of
# the action's cells it stands for (so its expectations are the action's).
FORMS: dict[str, dict[str, tuple[str, str, str]]] = {
    "crowdsource_discussion.act": {
        "comment": ("crowdsource_post_create", "comment", "published"),
        "ask": ("crowdsource_question_create", "", "published"),
        "edit": ("crowdsource_post_update", "", "published"),
        "delete": ("crowdsource_post_delete", "", "published"),
        "vote": ("crowdsource_post_vote", "", "published"),
        "flag": ("crowdsource_flag_create", "post", "published"),
        "hide": ("crowdsource_moderation_decide", "post", "published"),
        "restore": ("crowdsource_moderation_decide", "post", "hidden"),
        "approve": ("crowdsource_moderation_decide", "post", "pending"),
        "accept": ("crowdsource_answer_accept", "", "published"),
        "verify": ("crowdsource_answer_verify", "", "published"),
        "close": ("crowdsource_question_close", "", "published"),
        "reopen": ("crowdsource_question_reopen", "", "published")},
    "crowdsource_feedback.act": {
        "send": ("crowdsource_feedback_create", "", "published"),
        "reply": ("crowdsource_feedback_reply", "error", "published"),
        "status": ("crowdsource_feedback_set_status", "error", "published"),
        "second": ("crowdsource_request_second", "", "published")},
    "crowdsource_moderation.review": {"": ("crowdsource_flag_review", "post", "published")},
    "crowdsource_moderation.decide": {
        "": ("crowdsource_moderation_decide", "post", "published")},
    "crowdsource_tags.change": {
        "add": ("crowdsource_tag_add", "", "published"),
        "remove": ("crowdsource_tag_remove", "", "published"),
        "hide": ("crowdsource_tag_hide", "", "published"),
        "restore": ("crowdsource_tag_restore", "", "hidden"),
        "promote": ("crowdsource_tag_promote", "", "published"),
        "flag": ("crowdsource_flag_create", "tag", "published")},
    "crowdsource_tasks.act": {
        "create": ("crowdsource_task_create", "", "published"),
        "next": ("crowdsource_task_next", "", "published"),
        "claim": ("crowdsource_task_claim", "", "published"),
        "extend": ("crowdsource_claim_extend", "", "published"),
        "release": ("crowdsource_claim_release", "", "published"),
        "review": ("crowdsource_claim_review", "", "published"),
        "apply": ("crowdsource_claim_apply", "", "published"),
        "cancel": ("crowdsource_task_cancel", "", "published"),
        "work": ("crowdsource_claim_submit", "", "published")},
    "crowdsource_community.act": {
        "propose": ("crowdsource_community_propose", "", "published"),
        "create": ("crowdsource_community_create", "", "published"),
        "review": ("crowdsource_community_review", "", "pending"),
        "join": ("crowdsource_community_join", "", "published"),
        "leave": ("crowdsource_community_leave", "", "published"),
        "admit": ("crowdsource_community_member_request_review", "", "published"),
        "role": ("crowdsource_community_member_set_role", "", "published")},
    # one's own settings, whoever posts them
    "crowdsource_recognition.settings": {
        "": ("crowdsource_recognition_settings_update", "own", "-")},
    "crowdsource_notify.settings": {"": ("crowdsource_notify_settings_update", "own", "-")},
    # marking the author's notification about the dataset read
    "crowdsource_notify.mark": {"": ("crowdsource_notification_mark_read", "", "published")},
    # the button of the author's unsubscribe link
    "crowdsource_notify.unsubscribe": {"": ("crowdsource_notify_unsubscribe", "", "-")},
    "crowdsource_loans.act": {
        "borrow": ("crowdsource_loan_request", "", "-"),
        "approve": ("crowdsource_loan_approve", "", "-"),
        "decline": ("crowdsource_loan_decline", "", "-"),
        "renew": ("crowdsource_loan_renew", "", "-"),
        "return": ("crowdsource_loan_return", "", "-"),
        "revoke": ("crowdsource_loan_revoke", "", "-"),
        "cancel": ("crowdsource_reservation_cancel", "", "-"),
        "verify": ("crowdsource_reader_verify", "", "-"),
        "unverify": ("crowdsource_reader_verify", "", "-")},
    "crowdsource_loans.lend": {"": ("crowdsource_lendable_set", "", "-")},
}
# who posts the forms, on the private dataset: an outsider, an insider who is
# not staff, staff
FORM_ROLES = ("reader", "member", "editor")


def form_cell(endpoint: str, verb: str, role: str, dataset: str = "private") -> Cell:
    """The action's cell a form post stands for (about a community, for a
    community's forms: they name no dataset)."""
    action, variant, state = FORMS[endpoint][verb]
    if dataset not in ACTIONS[action].datasets:  # an action about no dataset
        dataset = ACTIONS[action].datasets[0]
    for c in cells(action):
        if (c.role, c.dataset, c.variant, c.state) == (role, dataset, variant, state):
            return c
    raise AssertionError(f"{action} has no cell {role}/{dataset}/{variant}/{state}")

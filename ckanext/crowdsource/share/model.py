"""Each time a reader shares an item through its Share control: which item,
through which channel, by whom (nobody, for a visitor), when. The item's
share count is the number of its rows."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

share = sa.Table(
    "crowdsource_share",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("item_type", sa.UnicodeText, nullable=False),  # core.ITEM_TYPES
    sa.Column("item_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText),  # the dataset it is about, if any
    sa.Column("channel", sa.UnicodeText, nullable=False),  # core.CHANNELS
    sa.Column("user_id", sa.UnicodeText),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Index("crowdsource_share_item_idx", "item_type", "item_id", "channel"),
    sa.Index("crowdsource_share_package_idx", "package_id"),
    sa.Index("crowdsource_share_created_idx", "created"),
    extend_existing=True,
)

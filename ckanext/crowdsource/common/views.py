"""What the capabilities' views share."""
from __future__ import annotations

from ckan.plugins import toolkit


def error_text(error: toolkit.ValidationError) -> str:
    """A validation error's messages as one line, for a flash or a partial."""
    return " ".join(
        str(message)
        for messages in error.error_dict.values()
        for message in (messages if isinstance(messages, list) else [messages])
    )

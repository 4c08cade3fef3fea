"""Which agency handles a message type, and which roles may send it."""

from __future__ import annotations

from infra.errors import Forbidden

# message type → roles allowed to transmit it (ceb-messages.md §1, "Sender")
SENDER_ROLES: dict[str, frozenset[str]] = {
    "CEB303Message": frozenset({"ebp", "ebc", "agent"}),
    "CEB403Message": frozenset({"payment", "ebc", "agent"}),
    "CEB505Message": frozenset({"logistics", "agent"}),
    "CEB507Message": frozenset({"logistics", "warehouse", "agent"}),
    "CEB509Message": frozenset({"logistics", "agent"}),
    "CEB603Message": frozenset({"ebc", "agent"}),
    "CEB605Message": frozenset({"ebc", "agent"}),
    "CEB607Message": frozenset({"logistics", "agent"}),
    "CEB213Message": frozenset({"ebc", "agent"}),
    "CEB215Message": frozenset({"logistics", "warehouse", "agent"}),
    "CEB701Message": frozenset({"ebc", "agent"}),
    "CEB311Message": frozenset({"ebp", "ebc", "logistics", "agent"}),
    "CEB411Message": frozenset({"payment", "logistics"}),
    "CEB511Message": frozenset({"logistics"}),
    "CEB513Message": frozenset({"logistics"}),
    "CEB621Message": frozenset({"ebc", "agent"}),
    "CEB623Message": frozenset({"ebc", "agent"}),
    "CEB625Message": frozenset({"ebc", "agent"}),
    "CEB711Message": frozenset({"warehouse", "logistics"}),
}

# message type → the agency queue that receives it first
AGENCY_QUEUE = "customs"
PROCESS_JOB = {"customs": "services.customs.tasks.process_batch"}


def check_sender(message_type: str, roles: frozenset[str]) -> None:
    """Refuse a message the enterprise's roles do not allow it to send."""
    allowed = SENDER_ROLES.get(message_type, frozenset())
    if not roles & allowed:
        raise Forbidden(f"{message_type} is sent by an enterprise with role "
                        f"{' or '.join(sorted(allowed))}; this enterprise has "
                        f"{', '.join(sorted(roles))}", code="role_not_allowed")


def queue_for(message_type: str) -> str:
    return AGENCY_QUEUE

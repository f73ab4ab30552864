from groups.audit.models import AuditEvent
from groups.extensions import db


def record_event(actor, action: str, obj, *, organisation_id=None, **detail) -> AuditEvent:
    """Add an audit event for ``obj`` to the session (the caller's transaction commits it)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        organisation_id=organisation_id,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        detail=detail,
    )
    db.session.add(event)
    return event

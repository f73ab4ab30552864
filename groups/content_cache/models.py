import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from groups.extensions import db

# The one row there is: its id.
GENERATION_ROW = 1


class ContentGeneration(db.Model):
    """One row whose value is replaced, in the same transaction, by every change to what pages
    and feeds show (groups/content_cache/logic.py). A copy kept under another value is stale."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(32))

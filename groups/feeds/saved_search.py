"""A feed for a saved search: the same GET parameters as the search page (``finder.home``).

The search finds public groups by their next suitable meeting (groups/finder/search.py); the feed
holds every meeting of the groups found, not only the ones that suit the filters, because a
calendar shows a group's whole pattern. The set of groups can change from day to day as meetings
come and go; the ETag follows it.
"""

from dataclasses import dataclass
from datetime import datetime

from werkzeug.datastructures import MultiDict

from groups.finder.forms import SearchForm
from groups.finder.places import find_place
from groups.finder.search import Unit, search_groups


@dataclass(frozen=True)
class SavedSearch:
    name: str
    group_ids: list[int]


def saved_search(args: MultiDict, now: datetime) -> SavedSearch | None:
    """The groups the search page would list for ``args``; None when it would list none because
    the search itself is incomplete (no place, an unknown or ambiguous place, a bad value)."""
    form = SearchForm(args, unit=Unit.KM.value)
    if not form.validate():
        return None
    if form.place.data:
        match = find_place(form.place.data)
        if match.place is None:
            return None
        centre, where = (match.place.latitude, match.place.longitude), match.place.label
    elif form.coordinates:
        centre, where = form.coordinates, "your location"
    else:
        return None
    outcome = search_groups(form.criteria(*centre), now)
    ids = sorted({result.group.id for result in outcome.results})
    return SavedSearch(f"Circles groups near {where}", ids)

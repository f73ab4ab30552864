"""Places people search from: names that are clear, names that need a choice, labels that name one
place when typed back, type-ahead suggestions, and a gazetteer read only when first needed."""

import subprocess
import sys
from pathlib import Path

from groups.finder import places
from groups.finder.places import find_place, suggest_places


def labels(found) -> list[str]:
    return [place.label for place in found]


def test_newport_alone_offers_a_choice():
    match = find_place("Newport")
    assert match.place is None and not match.is_unknown
    choices = labels(match.others)
    assert "Newport, Wales, United Kingdom" in choices
    assert "Newport, Rhode Island, United States" in choices
    # Two Newports in England: each says which town it is near.
    english = [label for label in choices if label.endswith("England, United Kingdom")]
    assert len(english) == 2 and all("(near " in label for label in english)


def test_newport_with_its_region_is_one_place():
    assert find_place("Newport, Wales").place.label == "Newport, Wales, United Kingdom"
    assert find_place(" newport ,WALES ").place.label == "Newport, Wales, United Kingdom"
    rhode_island = "Newport, Rhode Island, United States"
    assert find_place("Newport, Rhode Island").place.label == rhode_island
    assert find_place("Newport, RI").place.label == rhode_island
    assert find_place("Newport, Wales").others == []


def test_every_choice_typed_back_is_that_place():
    for choice in find_place("Newport").others:
        assert find_place(choice.label).place == choice


def test_a_name_still_ambiguous_with_its_region_offers_the_places_in_that_region():
    match = find_place("Newport, England")
    assert match.place is None and len(match.others) == 2


def test_a_name_whose_largest_place_far_outgrows_the_rest_is_that_place_with_the_rest_offered():
    match = find_place("Sheffield")
    assert match.place.label == "Sheffield, England, United Kingdom"
    assert "Sheffield, Alabama, United States" in labels(match.others)


def test_accents_case_and_country_spellings_do_not_matter():
    assert find_place("zurich").place.label == "Zürich, Switzerland"
    assert find_place("Leeds, UK").place.label == "Leeds, England, United Kingdom"
    assert find_place("leeds, gb").place == find_place("Leeds").place


def test_an_unknown_place_is_unknown():
    for text in ("Nowhereville", "", "   ", ",", "Newport, Narnia"):
        assert find_place(text).is_unknown


def test_every_label_names_exactly_one_place():
    everything = [place for named in places._place_index().by_name.values() for place in named]
    tidy = [places._tidy(place.label) for place in everything]
    assert len(set(tidy)) == len(tidy)


def test_suggestions_start_with_what_was_typed_largest_first_at_most_eight():
    suggested = labels(suggest_places("newp"))
    assert len(suggested) == 8
    assert all(label.lower().startswith("newp") for label in suggested)
    assert "Newport, Wales, United Kingdom" in suggested


def test_suggestions_narrow_down_after_a_comma_and_put_exact_names_first():
    assert labels(suggest_places("Newport, wa")) == ["Newport, Wales, United Kingdom"]
    assert labels(suggest_places("sheffield"))[0] == "Sheffield, England, United Kingdom"
    assert suggest_places("s") == [] and suggest_places("  ") == []


def test_suggest_endpoint_returns_labels_and_positions_as_json(client):
    response = client.get("/places/suggest?q=newp")
    assert response.status_code == 200 and response.is_json
    suggestions = response.get_json()
    assert 1 <= len(suggestions) <= 8
    assert set(suggestions[0]) == {"label", "latitude", "longitude"}
    wales = next(s for s in suggestions if s["label"] == "Newport, Wales, United Kingdom")
    assert round(wales["latitude"], 1) == 51.6 and round(wales["longitude"], 1) == -3.0
    assert client.get("/places/suggest?q=x").get_json() == []
    assert client.get("/places/suggest").get_json() == []


def test_the_places_are_not_read_when_the_app_starts():
    script = (
        "from groups import create_app; from groups.finder import places; "
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'}); "
        "print(places._place_index.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.split() == ["0"]

"""A complete, valid venue form as the browser sends it, for the venue tests to change."""

VENUES = "/manage/test-pain-clinic/venues"
ACCESS_FIELDS = (
    "step_free_entrance", "lift", "accessible_toilet", "seating_with_back_support",
    "space_to_stand_and_move", "hearing_loop", "quiet_room",
)  # fmt: skip


def venue_form(**changes) -> dict:
    """Every field filled and every box ticked; pass ``field=None`` to leave a field out (an
    unticked box is not sent at all)."""
    data = {
        "name": "Broomhill Library",
        "address_line1": "Taptonville Road",
        "address_line2": "Community Room, first floor",
        "town": "Sheffield",
        "postcode": "S10 5BR",
        "country": "GB",
        "latitude": "53.3811",
        "longitude": "-1.4980",
        "timezone": "",
        **{name: "y" for name in ACCESS_FIELDS},
        "parking_distance_m": "50",
        "public_transport_notes": "Bus 52 stops outside.",
        "accessibility_notes": "The side door has a ramp; ring the bell.",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}

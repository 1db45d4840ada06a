"""Never an empty answer: the chat's looser requests, least certain constraint first,
and what the person ruled out last of all."""

from service.chat.plan import relaxations
from service.chat.intent import Intent
from service.text.numbers import NumericConstraint
from service.types import CandidateRequest, Filters, Range


def test_relaxations_go_from_least_certain_to_what_was_ruled_out():
    intent = Intent(language="fr", semantic=[("genres", "Crime", 0.6)],
                    ranges=[NumericConstraint("year", 2000, None, 0, 4, "year >= 2000")])
    req = CandidateRequest(query="un film", k=5, filters=Filters(
        require={"genres": ["Comedy"]}, include={"genres": ["Crime"], "country": ["France"]},
        exclude={"category": ["phone"]}, ranges={"year": Range(gte=2000)}))
    steps = relaxations(req, intent)
    said = [what for what, _r in steps]
    assert said[0] == "Crime"              # read by meaning: the least certain
    assert said[-1] == "sans phone"        # ruled out: let go last, said in the person's words
    last = steps[-1][1].filters
    assert last.include == {} and last.require == {} and last.ranges == {} and last.exclude == {}
    assert steps[-1][1].query == "un film"  # the words asked for stay


def test_a_follow_up_bounded_by_an_item_lets_go_of_earlier_named_values_before_its_numbers():
    """'推荐几款OPPO手机' then 'a higher refresh rate than the first one, about its price':
    every OPPO was shown already; the bound the follow-up asks for outlives the brand."""
    intent = Intent(language="zh", relative=[("refresh_hz", "higher", "刷新率更高")], carried=[("brand", "OPPO")],
                    compared_with=["p1"], ranges=[NumericConstraint("refresh_hz", 121.0, None, 0, 0, "refresh_hz > 120")])
    req = CandidateRequest(k=5, filters=Filters(include={"brand": ["OPPO"]}, ranges={"refresh_hz": Range(gte=121.0)}))
    steps = relaxations(req, intent)
    assert [w for w, _r in steps] == ["OPPO", "refresh_hz > 120"]
    assert steps[0][1].filters.ranges == {"refresh_hz": Range(gte=121.0)} and steps[0][1].filters.include == {}
    plain = Intent(language="zh", ranges=intent.ranges)  # OPPO named in the same message: numbers go first
    assert [w for w, _r in relaxations(req, plain)] == ["refresh_hz > 120", "OPPO"]


def test_bounds_the_words_only_suggest_go_before_the_numbers_said():
    """'跟第一款价位差不多、但是支持65W以上快充的': about the first one's price is a guess,
    65 W a number said; with nothing meeting both, the price goes first."""
    intent = Intent(language="zh", ranges=[
        NumericConstraint("price", 199.2, 298.8, 0, 0, "价位差不多: price 199.2-298.8", guess=True),
        NumericConstraint("charging_w", 65.0, None, 10, 13, "charging_w >= 65")])
    req = CandidateRequest(k=5, filters=Filters(ranges={"price": Range(gte=199.2, lte=298.8),
                                                        "charging_w": Range(gte=65.0)}))
    steps = relaxations(req, intent)
    assert [w for w, _r in steps] == ["价位差不多: price 199.2-298.8", "charging_w >= 65"]
    assert steps[0][1].filters.ranges == {"charging_w": Range(gte=65.0)}


def test_a_value_an_earlier_turn_named_goes_before_the_numbers_the_latest_says():
    """'¿Qué tal está el OnePlus 13R?' ... '¿Hay algo con 5500 mAh o más que sí la tenga?
    Como mucho 900 €': the brand of the first question goes before the latest numbers."""
    intent = Intent(language="es", values_in=[("brand", "OnePlus")], carried=[("brand", "OnePlus")],
                    ranges=[NumericConstraint("battery_mah", 5500.0, None, 0, 4, "battery_mah >= 5500")])
    req = CandidateRequest(k=5, filters=Filters(include={"brand": ["OnePlus"]}, ranges={"battery_mah": Range(gte=5500.0)}))
    steps = relaxations(req, intent)
    assert [w for w, _r in steps] == ["OnePlus", "battery_mah >= 5500"]
    assert steps[0][1].filters.include == {} and steps[0][1].filters.ranges == {"battery_mah": Range(gte=5500.0)}
    named_now = Intent(language="es", values_in=intent.values_in, ranges=intent.ranges)  # said in this turn
    assert [w for w, _r in relaxations(req, named_now)] == ["battery_mah >= 5500", "OnePlus"]


def test_items_shown_before_come_back_before_a_number_said_is_let_go():
    """'还是要vivo的，比第一款便宜，但也要有长焦' after every vivo with a zoom was shown: those
    items fit every word, so they come back (with nothing to say) before the zoom goes."""
    intent = Intent(language="zh", values_in=[("brand", "vivo")], answered=["v1", "v2"],
                    ranges=[NumericConstraint("optical_zoom_x", 1e-6, None, 0, 2, "长焦: optical_zoom_x > 0")])
    req = CandidateRequest(k=5, exclude_items=["v1", "v2", "seed"], filters=Filters(
        include={"brand": ["vivo"]}, ranges={"optical_zoom_x": Range(gte=1e-6)}))
    steps = relaxations(req, intent)
    assert steps[0][0] == "" and steps[0][1].exclude_items == ["seed"] and steps[0][1].filters == req.filters
    assert [w for w, _r in steps[1:]] == ["长焦: optical_zoom_x > 0", "vivo"]
    assert steps[1][1].exclude_items == ["v1", "v2", "seed"]


def test_readings_by_meaning_go_one_attribute_at_a_time_the_least_sure_first():
    """Values read by meaning (lentils 0.76, Priorat 0.53) are let go of one attribute at a
    time, the least sure first; an attribute with a value spelled out (Indian, beside Thai
    read by meaning) is not let go of as a reading."""
    intent = Intent(language="es", values_in=[("cuisine", "Indian")],
                    semantic=[("main_ingredient", "lentils", 0.76), ("region", "Priorat", 0.53), ("cuisine", "Thai", 0.6)])
    req = CandidateRequest(k=5, filters=Filters(include={"main_ingredient": ["lentils"], "region": ["Priorat"],
                                                         "cuisine": ["Indian", "Thai"]}))
    steps = relaxations(req, intent)
    assert [w for w, _r in steps[:2]] == ["Priorat", "lentils"]
    assert steps[0][1].filters.include == {"main_ingredient": ["lentils"], "cuisine": ["Indian", "Thai"]}
    assert steps[1][1].filters.include == {"cuisine": ["Indian", "Thai"]}

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

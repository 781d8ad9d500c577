from routing.planner import plan
from routing.tests.helpers import H, M, line_matrix
from routing.types import Break, Officer, Problem, Visit

FAST = 1.0  # seconds
DAY = (8 * H, 18 * H)


def officer(oid, base=0, skills=("a",), **kw):
    return Officer(oid, start=base, end=base, shift=kw.pop("shift", DAY), skills=frozenset(skills), **kw)


def visit(vid, loc, window=DAY, duration=30 * M, skills=("a",), **kw):
    return Visit(vid, location=loc, window=window, duration=duration, skills=frozenset(skills), **kw)


def test_visits_on_a_line_are_served_in_order_with_least_travel():
    matrix = line_matrix([0, 1, 2, 3, 4])
    o1 = Officer("o1", start=0, end=4, shift=DAY, skills=frozenset({"a"}))  # ends the day further on
    result = plan(Problem(matrix, (o1,), (visit("v3", 3), visit("v1", 1), visit("v2", 2))), FAST)
    assert result.status == "solved"
    route = result.route_for("o1")
    assert route.visit_ids == ["v1", "v2", "v3"]
    assert route.travel == 4 * M and route.distance == 4000


def test_skills_send_each_visit_to_an_officer_who_can_do_it():
    matrix = line_matrix([0, 5, 6])
    officers = (officer("housing", skills=("housing",)), officer("care", skills=("care",)))
    visits = (visit("h", 1, skills=("housing",)), visit("c", 2, skills=("care",)))
    result = plan(Problem(matrix, officers, visits), FAST)
    assert result.route_for("housing").visit_ids == ["h"]
    assert result.route_for("care").visit_ids == ["c"]


def test_promised_windows_are_hard():
    matrix = line_matrix([0, 10, 20])
    visits = (visit("late", 1, window=(15 * H, 15 * H + 30 * M)), visit("early", 2, window=(9 * H, 9 * H)))
    result = plan(Problem(matrix, (officer("o1"),), visits), FAST)
    stops = {s.visit_id: s for s in result.route_for("o1").stops}
    assert stops["early"].start == 9 * H
    assert 15 * H <= stops["late"].start <= 15 * H + 30 * M
    assert result.route_for("o1").visit_ids == ["early", "late"]


def test_visit_that_cannot_be_served_is_reported_not_fatal():
    matrix = line_matrix([0, 1, 2])
    visits = (
        visit("fine", 1),
        visit("after-hours", 2, window=(20 * H, 21 * H)),
        visit("no-skill", 1, skills=("rare",)),
    )
    result = plan(Problem(matrix, (officer("o1"),), visits), FAST)
    assert result.status == "partial"
    assert set(result.unassigned) == {"after-hours", "no-skill"}
    assert result.route_for("o1").visit_ids == ["fine"]


def test_two_officer_visit_gets_two_officers_arriving_together():
    matrix = line_matrix([0, 10, 3])
    officers = (officer("o1", base=0), officer("o2", base=1))
    visits = (visit("pair", 2, window=(10 * H, 12 * H), officers_needed=2),)
    result = plan(Problem(matrix, officers, visits), FAST)
    assert result.unassigned == ()
    starts = [r.stops[0].start for r in result.routes if r.visit_ids == ["pair"]]
    assert len(starts) == 2 and starts[0] == starts[1]


def test_two_officer_visit_with_only_one_officer_is_unassigned():
    matrix = line_matrix([0, 3])
    result = plan(
        Problem(matrix, (officer("o1"),), (visit("pair", 1, officers_needed=2), visit("solo", 1))), FAST
    )
    assert result.unassigned == ("pair",)
    assert result.route_for("o1").visit_ids == ["solo"]


def test_lunch_break_moves_work_to_a_free_officer():
    matrix = line_matrix([0, 1])
    lunch = (Break(12 * H, 12 * H, 60 * M),)
    officers = (officer("lunching", breaks=lunch), officer("free", shift=(8 * H, 18 * H)))
    visits = (visit("noon", 1, window=(12 * H, 12 * H), duration=60 * M),)
    result = plan(Problem(matrix, officers, visits), FAST)
    assert result.route_for("free").visit_ids == ["noon"]


def test_maximum_working_time_limits_the_day():
    matrix = line_matrix([0, 30, 31])
    visits = (visit("a", 1, duration=60 * M), visit("b", 2, duration=60 * M))
    result = plan(Problem(matrix, (officer("o1", max_working=2 * H + 30 * M),), visits), FAST)
    # Out 30 min, one hour's visit, back 30 min = 2 hours; a second visit would pass 2.5 hours.
    assert len(result.route_for("o1").stops) == 1 and len(result.unassigned) == 1


def test_each_officer_starts_and_ends_at_their_own_base():
    matrix = line_matrix([0, 100, 1, 99])
    officers = (officer("west", base=0), officer("east", base=1))
    visits = (visit("near-west", 2), visit("near-east", 3))
    result = plan(Problem(matrix, officers, visits), FAST)
    assert result.route_for("west").visit_ids == ["near-west"]
    assert result.route_for("east").visit_ids == ["near-east"]
    assert result.travel == 4 * M


def test_no_officers_or_no_visits_answers_cleanly():
    matrix = line_matrix([0, 1])
    empty = plan(Problem(matrix, (), (visit("v", 1),)), FAST)
    assert empty.unassigned == ("v",) and empty.routes == ()
    nothing = plan(Problem(matrix, (officer("o1"),), ()), FAST)
    assert nothing.status == "solved" and nothing.routes == ()


def test_seeded_with_an_earlier_plan():
    matrix = line_matrix([0, 1, 2])
    problem = Problem(matrix, (officer("o1"), officer("o2")), (visit("a", 1), visit("b", 2)))
    result = plan(problem, FAST, initial={"o1": ["a", "b"]})
    assert result.unassigned == () and result.travel == 4 * M


def test_a_seed_with_a_two_officer_visit_is_accepted_by_the_solver(capfd):
    """Both officers' seeds name the pair; each must get its own copy of the visit, or OR-Tools rejects
    the whole seed ("Index ... is used multiple times") and searches without it."""
    matrix = line_matrix([0, 10, 3])
    officers = (officer("o1", base=0), officer("o2", base=1))
    visits = (visit("pair", 2, window=(10 * H, 12 * H), officers_needed=2), visit("solo", 1))
    result = plan(Problem(matrix, officers, visits), FAST, initial={"o1": ["pair", "solo"], "o2": ["pair"]})
    assert result.unassigned == ()
    assert "used multiple times" not in capfd.readouterr().err


def test_the_seed_gives_each_officer_of_a_pair_their_own_copy_of_the_visit():
    from routing.model import DayModel

    matrix = line_matrix([0, 10, 3])
    officers = (officer("o1", base=0), officer("o2", base=1))
    model = DayModel(Problem(matrix, officers, (visit("pair", 2, officers_needed=2), visit("solo", 1))))
    # Nodes: the pair's two copies (0, 1), then solo (2); visit nodes are their own routing indices.
    assert model._indices({"o1": ["pair", "solo"], "o2": ["pair"]}) == [[0, 2], [1]]
    assert model._indices({"o1": ["solo", "solo"], "o2": ["solo"]}) == [[2], []]  # never one twice

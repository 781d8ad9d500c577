from routing.feasibility import DayCheck, DayStop, OfficerDay, fits
from routing.tests.helpers import H, M, at, line_travel
from routing.types import Break

SHIFT = (8 * H + 30 * M, 17 * H)
LUNCH = Break(12 * H + 30 * M, 13 * H + 30 * M, 30 * M)


def day(*stops, breaks=(), shift=SHIFT):
    return OfficerDay(shift=shift, start=at(0), end=at(0), stops=tuple(stops), breaks=breaks)


def test_empty_day_fits_with_travel_there_and_back():
    result = fits(day(), at(10), (9 * H, 11 * H), 45 * M, line_travel)
    assert result.position == 0
    assert result.arrival == 9 * H  # leaves 08:30, there 08:40, waits for the window
    assert result.added_travel == 20 * M and result.added_distance == 20_000


def test_window_that_cannot_be_reached_in_time():
    # 30 km away = 30 minutes; the window closes at 08:45
    assert fits(day(), at(30), (8 * H, 8 * H + 45 * M), 30 * M, line_travel) is None


def test_existing_promise_is_never_broken():
    promised = DayStop("A", at(10), (10 * H, 10 * H), 60 * M)
    # A 09:30 visit at the base lasting 30 min ends 10:00: no time left to drive 10 km to A.
    assert fits(day(promised), at(0), (9 * H + 30 * M, 9 * H + 30 * M), 30 * M, line_travel) is None
    # Ten minutes earlier, it fits before A.
    ok = fits(day(promised), at(0), (9 * H + 20 * M, 9 * H + 20 * M), 30 * M, line_travel)
    assert ok.position == 0 and ok.arrival == 9 * H + 20 * M


def test_best_position_adds_least_travel():
    a = DayStop("A", at(10), (9 * H, 12 * H), 30 * M)
    b = DayStop("B", at(20), (9 * H, 16 * H), 30 * M)
    result = fits(day(a, b), at(15), (9 * H, 16 * H), 30 * M, line_travel)
    assert result.position == 1  # between A and B, on the way
    assert result.added_travel == 0


def test_shift_end_includes_the_drive_home():
    # A visit 60 km away, an hour long, then an hour home: back at 17:00 fits, at 17:01 does not.
    assert fits(day(), at(60), (15 * H + 1 * M, 15 * H + 1 * M), 60 * M, line_travel) is None
    assert fits(day(), at(60), (15 * H, 15 * H), 60 * M, line_travel) is not None


def test_lunch_break_is_protected():
    # Visits back to back from 11:00 to 14:00 leave no room for a 30-minute lunch starting 12:30-13:30.
    morning = DayStop("A", at(0), (11 * H, 11 * H), 90 * M)  # 11:00-12:30
    assert (
        fits(day(morning, breaks=(LUNCH,)), at(0), (12 * H + 30 * M, 12 * H + 30 * M), 90 * M, line_travel)
        is None
    )
    # Without a break it would fit; with a 13:00 start, lunch fits 12:30-13:00.
    assert fits(day(morning), at(0), (12 * H + 30 * M, 12 * H + 30 * M), 90 * M, line_travel) is not None
    assert fits(day(morning, breaks=(LUNCH,)), at(0), (13 * H, 13 * H), 60 * M, line_travel) is not None


def test_break_taken_in_waiting_time_costs_nothing():
    a = DayStop("A", at(0), (12 * H, 12 * H), 30 * M)  # ends 12:30
    check = DayCheck(day(a, breaks=(LUNCH,)), line_travel)
    # Next visit at 13:15: the 45-minute wait holds lunch.
    assert check.best_insertion(at(0), (13 * H + 15 * M, 13 * H + 15 * M), 60 * M) is not None


def test_part_time_morning_shift_owes_no_afternoon_break():
    morning = (9 * H, 12 * H + 30 * M)  # ends as the lunch break could first start
    result = fits(day(breaks=(LUNCH,), shift=morning), at(5), (11 * H, 12 * H), 60 * M, line_travel)
    assert result is not None


def test_a_day_already_broken_offers_nothing():
    impossible = DayStop("A", at(100), (8 * H + 35 * M, 8 * H + 35 * M), 30 * M)
    assert fits(day(impossible), at(1), (9 * H, 16 * H), 10 * M, line_travel) is None


def test_many_checks_on_one_prepared_day_agree_with_one_offs():
    stops = tuple(
        DayStop(str(i), at(i * 3), (9 * H + i * 40 * M, 9 * H + i * 40 * M + 60 * M), 30 * M)
        for i in range(6)
    )
    check = DayCheck(day(*stops, breaks=(LUNCH,)), line_travel)
    for km in range(0, 30, 4):
        for hour in range(9, 16):
            window = (hour * H, hour * H + 2 * H)
            assert check.best_insertion(at(km), window, 30 * M) == fits(
                day(*stops, breaks=(LUNCH,)), at(km), window, 30 * M, line_travel
            )


def test_schedule_gives_every_start_time_in_the_new_order():
    a = DayStop("A", at(10), (10 * H, 10 * H), 60 * M)
    check = DayCheck(day(a), line_travel)
    insertion = check.best_insertion(at(5), (9 * H, 9 * H + 30 * M), 30 * M)
    starts = check.schedule(insertion.position, at(5), (9 * H, 9 * H + 30 * M), 30 * M)
    assert insertion.position == 0 and starts == [9 * H, 10 * H]
    # Inserted after A instead: A keeps 10:00, the new visit starts once A ends and the drive is done.
    assert check.schedule(1, at(5), (9 * H, 17 * H), 30 * M) == [10 * H, 11 * H + 5 * M]

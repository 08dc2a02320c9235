""""Naik kelas" over longer histories (store/progress.py): a class, a level and a score that change more than once
within the period count from where they stood at its start to where they stand at its end, on SQLite and
PostgreSQL; the histories are made as tests/test_progress.py makes them."""

from datetime import timedelta

from test_progress import BEFORE, EARLY, LATE, MIDDLE, assessed, attended, business, figures

from officer_dashboard import KOTIM
from store.db import Database
from store.progress import Comparison, Movement


def test_changes_within_the_period_count_from_its_start_to_its_end(database: Database) -> None:
    climber = business(database, "Naik terus", [(BEFORE, "mikro"), (EARLY, "kecil"), (MIDDLE, "mikro"),
                                                (LATE, "kecil")])
    wavering = business(database, "Naik turun", [(BEFORE, "kecil"), (EARLY, "mikro"), (MIDDLE, "kecil"),
                                                 (LATE, "mikro")])
    # pemula, then berkembang and mandiri within the period: up a level, 35 points, not yet trained
    assessed(database, climber, (BEFORE, 30), (EARLY, 45), (LATE, 65))
    # pemula at the start (after berkembang before it), berkembang and pemula again within: no level moved, 3 points,
    # trained within the period before its latest assessment
    assessed(database, wavering, (BEFORE - timedelta(days=60), 50), (BEFORE, 35), (MIDDLE, 42), (LATE, 38))
    attended(database, wavering, EARLY)
    found = figures(database, KOTIM)
    assert found.movements == [Movement(KOTIM, class_up=1, class_down=1, level_up=1, level_down=0)]
    assert found.comparisons[0] == Comparison("pemula", trained=1, trained_change=3.0, not_yet=1, not_yet_change=35.0)
    assert [comparison.trained + comparison.not_yet for comparison in found.comparisons[1:]] == [0, 0, 0]

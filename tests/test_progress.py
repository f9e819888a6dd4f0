"""Progress names the step on stderr, also when stderr is a log and not a terminal."""
from discourse.progress import progress


def test_steps_are_named_one_line_each_in_a_log(capsys):
    assert list(progress(["sentiment", "topics"], desc="analysing", describe=str)) == ["sentiment", "topics"]
    err = capsys.readouterr().err.splitlines()
    assert err == ["discourse: analysing: sentiment (1/2)", "discourse: analysing: topics (2/2)"]


def test_plain_work_gets_one_line_and_quiet_none(capsys):
    assert list(progress(range(3), desc="reading", unit="file")) == [0, 1, 2]
    assert capsys.readouterr().err == "discourse: reading 3 files\n"
    list(progress(range(3), desc="reading", unit="file", quiet=True))
    assert capsys.readouterr().err == ""

"""Options are checked before any work, and --debug works on either side of the command."""
from discourse.cli import main


def test_compare_by_an_unknown_column_fails_before_reading_naming_the_columns(capsys, monkeypatch):
    import discourse.cli

    def no_work(*args, **kwargs):
        raise AssertionError("inputs were read before the options were checked")

    monkeypatch.setattr(discourse.cli, "_read_all", no_work)
    assert main(["compare", "threads", "--by", "nosuchcol", "-o", "unused"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nosuchcol" in err[0] and "outlet" in err[0] and "published" in err[0]


def test_report_and_compare_take_domain_and_skip(capsys):
    assert main(["report", "threads", "--skip", "nope", "-o", "unused"]) == 1
    assert "unknown stage" in capsys.readouterr().err
    assert main(["compare", "threads", "--domain", "none", "--skip", "nope", "-o", "unused"]) == 1


def test_debug_before_or_after_the_command(capsys):
    for argv in (["--debug", "parse", "/nonexistent/x.txt"], ["parse", "/nonexistent/x.txt", "--debug"]):
        assert main(argv) == 1
        assert "no such file" in capsys.readouterr().err


def test_python_api_applies_the_manifest_like_the_cli():
    from discourse.readers import read_threads

    outlets = {t.thread_id: t.article.outlet for t in read_threads(["threads"], semantic=False)}
    assert all(outlets.values()), outlets

"""The stage contract: ordering from declarations, refusing starved stages, reduced-mode notes,
extra stages from the caller and plug-ins, the Analysis mapping."""
import pytest

from discourse.analysis.pipeline import Analyzer, analyze, check_requirements, order_stages, select_stages
from discourse.analysis.stage import RunContext, Stage
from discourse.model import Article, Comment, Thread


class Shouting(Stage):
    name = "shouting"
    requires = ("comments.text",)
    provides = ("comments.shouting",)

    def run(self, ctx):
        text = ctx.comments["text"].fillna("")
        ctx.add_columns(ctx.comments[["thread_id", "comment_id"]].assign(
            shouting=text.str.count(r"[A-Z]") / text.str.len().clip(lower=1)))


class LoudReplies(Stage):
    """Needs Shouting's column: it must be ordered after it whatever order it is given in."""
    name = "loud_replies"
    requires = ("comments.shouting", "comments.parent_id")
    provides = ("loud_replies",)

    def run(self, ctx):
        c = ctx.comments
        ctx.tables["loud_replies"] = c[c["parent_id"].notna() & (c["shouting"] > 0.5)][["thread_id", "comment_id"]]


def _thread():
    return Thread(thread_id="t1", source="test", article=Article(title="Title", text="An article about roads."),
                  comments=[Comment(comment_id="c1", author="Ann", text="Roads are fine."),
                            Comment(comment_id="c2", author="Bob", text="NO THEY ARE NOT", parent_id="c1")])


def test_custom_stages_run_in_dependency_order_with_the_builtin_ones_left_out():
    result = analyze([_thread()], stages=["sentiment", LoudReplies(), Shouting()], use_embeddings=False)
    comments = result["comments"]
    assert comments.set_index("comment_id")["shouting"]["c2"] > 0.5
    assert result["loud_replies"]["comment_id"].tolist() == ["c2"]
    assert "sentiment" in comments and "stance" in comments  # contract column present, empty


def test_extra_stage_alone_adds_to_every_builtin_stage():
    names = [s.name for s in select_stages([Shouting()], plugins=False)]
    assert names[-1] == "shouting" and "triage" in names and len(names) == len(Analyzer.STAGES) + 1


def test_readme_example_as_shown():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(from discourse\.analysis import Stage.*?)```", readme, re.S)
    assert block, "the README's custom-stage example is missing"
    namespace: dict = {}
    exec(compile(block.group(1).replace('read_threads(["threads"])', "THREADS"), "README", "exec"),
         {"THREADS": [_thread()], **namespace})


def test_a_requirement_nobody_provides_is_refused_naming_both_stages():
    class NeedsStance(Stage):
        name = "needs_stance"
        requires = ("comments.stance",)

        def run(self, ctx):
            pass

    with pytest.raises(ValueError, match=r"needs_stance.*comments\.stance.*stage stance"):
        Analyzer(stages=[NeedsStance()], skip=["stance"], use_embeddings=False)
    Analyzer(stages=[NeedsStance()], use_embeddings=False)  # with stance chosen it is fine


def test_skipping_a_used_stage_names_the_reduced_mode():
    notes = check_requirements(select_stages(None, skip=["stance"], plugins=False))
    assert any(n.startswith("disinfo: runs without stance") for n in notes)
    assert any(n.startswith("threads: runs without stance") for n in notes)


def test_cycles_and_duplicate_names_are_errors():
    class A(Stage):
        name, requires, provides = "a", ("x.b",), ("x.a",)

    class B(Stage):
        name, requires, provides = "b", ("x.a",), ("x.b",)

    with pytest.raises(ValueError, match="cycle"):
        order_stages([A(), B()])
    with pytest.raises(ValueError, match="unique"):
        select_stages([Shouting(), Shouting()], plugins=False)
    with pytest.raises(ValueError, match="unknown stage"):
        select_stages(["nope"], plugins=False)


def test_plugins_are_loaded_from_the_entry_point_group(monkeypatch):
    import importlib.metadata as md

    class Entry:
        name, value = "shouting", "tests.test_stage:Shouting"

        def load(self):
            return Shouting

    monkeypatch.setattr(md, "entry_points", lambda group: [Entry()] if group == "discourse.stages" else [])
    assert "shouting" in [s.name for s in select_stages(None)]
    assert "shouting" not in [s.name for s in select_stages(None, plugins=False)]


def test_analysis_is_a_mapping_of_tables():
    result = analyze([_thread()], stages=["sentiment", "threads"], use_embeddings=False)
    assert set(result) == set(result.tables) and len(result) == len(result.tables)
    assert "comments" in result and dict(result.items())["threads"] is result["threads"]


def test_context_has_no_hidden_encoder_under_fast():
    analyzer = Analyzer(stages=["sentiment"], use_embeddings=False)
    ctx = analyzer.context(analyze([_thread()], stages=["sentiment"], use_embeddings=False))
    assert isinstance(ctx, RunContext) and ctx.encoder() is None and analyzer.embedder is None


def test_cli_skip_stance_says_which_stages_run_reduced(capsys, tmp_path):
    from discourse.cli import main

    page = tmp_path / "t.txt"
    page.write_text("A headline\n\nThe article text is here.\n\nAnn\nRoads are fine.\n\nBob\nNo they are not.\n",
                    encoding="utf-8")
    assert main(["analyze", str(page), "--fast", "--skip", "stance,topics", "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "disinfo: runs without stance" in err


def test_cli_unknown_skip_fails_in_one_line_before_reading(capsys, tmp_path):
    from discourse.cli import main

    assert main(["analyze", str(tmp_path / "missing.txt"), "--fast", "--skip", "nope"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown stage" in err[0] and "missing.txt" not in err[0]

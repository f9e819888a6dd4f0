"""The ``discourse`` command line: I/O at the edge, everything else in the library.

Failures the user can act on print one line (``discourse: error: ...``) and exit 1; warnings
print ``discourse: warning: ...`` and do not change the exit status; ``--debug`` shows
tracebacks for bug reports.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from discourse.errors import DiscourseError, InputError

EXIT_FAILURE = 1
EXIT_USAGE = 2


class _LineFormatter(logging.Formatter):
    """``discourse: warning: ...``, as the module docstring promises (the level in lower case)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"discourse: {record.levelname.lower()}: {_line(record.getMessage())}"


def _line(message) -> str:
    """A message on one terminal line: file names and quoted input may hold control characters."""
    from discourse.writers.safe_text import terminal

    return terminal(message)


def _setup_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LineFormatter())
    log = logging.getLogger("discourse")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.ERROR if quiet else logging.WARNING)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars or warnings on stderr")
    p.add_argument("--debug", action="store_true",
                   help="show the traceback of an internal error, for a bug report (before or after the command)")


def _add_report_inputs(p: argparse.ArgumentParser, by_help: str) -> None:
    """What `report` and `compare` both read: inputs, output folder, grouping, targets, manifest."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("-o", "--output", metavar="DIR", default="reports", help="output folder (default: reports)")
    p.add_argument("--by", default="outlet", help=by_help)
    p.add_argument("--targets", metavar="LIST", help='extra stance targets, e.g. "Russia,Ukraine,NATO"')
    p.add_argument("--domain", default="russia_ukraine",
                   help="domain pack for targets and narratives (default: russia_ukraine; 'none' for none)")
    p.add_argument("--skip", metavar="STAGES", default="",
                   help="comma-separated stages to leave out (see the README for the list)")
    p.add_argument("--manifest", metavar="FILE",
                   help="CSV with file, outlet, url, published (default: manifest.csv beside the inputs)")
    p.add_argument("--fast", action="store_true", help="no sentence embeddings")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="discourse",
        description="Read news articles with their reader comment threads.",
        epilog="Every command takes --quiet, and --debug (a traceback for bug reports) before or after it.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_parse_parser(sub)
    _add_analyze_parser(sub)
    _add_report_parser(sub)
    _add_compare_parser(sub)
    _add_triage_parser(sub)
    _add_serve_parsers(sub)
    _add_evaluate_parser(sub)
    _add_bench_parser(sub)
    return parser


def _add_parse_parser(sub) -> None:
    """The options of `discourse parse`."""
    p = sub.add_parser("parse", help="rebuild threads (article, comments, reply links) from pages and exports",
                       description="Read page text (.txt), saved web pages (.html), our JSON/JSONL, CSV, "
                                   "ConvoKit folders, Reddit JSON, Disqus or WordPress XML exports and print one "
                                   "thread per input document.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--format", choices=("json", "jsonl", "table", "convokit"), default="jsonl",
                   help="jsonl: one thread object per line (default); json: a list; table: for reading; "
                        "convokit: a ConvoKit corpus folder (needs -o DIR)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--attach", metavar="CSV", action="append", default=[],
                   help="with --format convokit: add this table's columns (e.g. comments.csv of `analyze`) "
                        "to each utterance's metadata, matched by thread_id and comment_id")
    p.add_argument("--fast", action="store_true",
                   help="skip sentence embeddings in reply inference (several times faster, a little less accurate)")
    _add_common(p)


def _add_analyze_parser(sub) -> None:
    """The options of `discourse analyze`."""
    p = sub.add_parser("analyze", help="tone, stance, targets, topics, framing and more, as tables (CSV and Parquet)",
                       description="Read anything `parse` reads (or its JSONL) and write analysis tables to OUT: "
                                   "comments, threads, targets, topics and the tables of later stages.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("-o", "--output", metavar="OUT", default="reports/analysis",
                   help="folder for the tables (default: reports/analysis)")
    p.add_argument("--targets", metavar="LIST",
                   help='comma-separated names to measure stance toward, e.g. "Russia,Ukraine,NATO" '
                        "(added to the domain pack's targets and each thread's salient names)")
    p.add_argument("--domain", default="russia_ukraine",
                   help="domain pack for targets and narratives (default: russia_ukraine; 'none' for none)")
    p.add_argument("--format", choices=("both", "csv", "parquet"), default="both", help="table file formats")
    p.add_argument("--fast", action="store_true",
                   help="no sentence embeddings (no encoder: keyword topics, cue-only matching)")
    p.add_argument("--skip", metavar="STAGES", default="",
                   help="comma-separated stages to leave out (see the README for the list)")
    p.add_argument("--manifest", metavar="FILE",
                   help="CSV with file, outlet, url, published (default: manifest.csv beside the inputs)")
    p.add_argument("--chunk-threads", type=int, metavar="N",
                   help="stream .jsonl/.parquet inputs N threads at a time into OUT/TABLE/part-*.parquet "
                        "(topics fitted on a sample of threads; no coordination, which compares the whole corpus)")
    p.add_argument("--resume", action="store_true", help="with --chunk-threads: continue an interrupted run in OUT")
    _add_common(p)


def _add_report_parser(sub) -> None:
    """The options of `discourse report`."""
    p = sub.add_parser("report", help="the main job: an HTML and Markdown report per thread, an index and a "
                                      "cross-outlet comparison",
                       description="Analyse every thread and write, in DIR: a self-contained HTML page and a "
                                   "Markdown twin per thread, index.html, the comparison by outlet "
                                   "(compare.html) and the analysis tables (tables/).")
    _add_report_inputs(p, by_help="what the comparison groups by (default: outlet)")
    p.add_argument("--config", metavar="FILE", help="TOML file overriding scoring weights")
    _add_common(p)


def _add_compare_parser(sub) -> None:
    """The options of `discourse compare`."""
    p = sub.add_parser("compare", help="compare outlets (or months, authors, any column): stance, frames, "
                                       "narratives, tone, claims",
                       description="Analyse the threads and compare groups: stance toward each target, frames and "
                                   "techniques per 1,000 words, narrative prevalence, sentiment distribution and "
                                   "claim disagreements, as tables (CSV) and plots in compare.html/compare.md.")
    _add_report_inputs(p, by_help="outlet (default), published (by month), author, or another column of the "
                                  "thread or comment tables")
    _add_common(p)


def _add_triage_parser(sub) -> None:
    """The options of `discourse triage`."""
    p = sub.add_parser("triage", help="a ranked, explained moderation queue (kept in SQLite across runs)",
                       description="Score every comment for moderation (incivility, possible disinformation, "
                                   "coordination, spam, escalation), add new ones to the queue in --db and print "
                                   "the top of the queue. Record decisions with "
                                   "`discourse triage decide ID approve|reject|defer [--note TEXT]`, or in the browser with "
                                   "`discourse serve`.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--top", type=int, default=20, metavar="N", help="show this many pending comments (default 20; 0: all)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--db", default="reports/triage.sqlite", metavar="FILE",
                   help="queue database (default: reports/triage.sqlite)")
    p.add_argument("--config", metavar="FILE", help="TOML file overriding scoring weights (see README)")
    p.add_argument("--fast", action="store_true", help="no sentence embeddings")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    _add_common(p)


def _add_evaluate_parser(sub) -> None:
    """The options of `discourse evaluate NAME`."""
    p = sub.add_parser("evaluate", help="measure the tool against gold data (needs ../shared/data)")
    esub = p.add_subparsers(dest="what", metavar="WHAT")
    e = esub.add_parser("parse", help="comment recovery and parent accuracy on gold threads rendered as pages")
    e.add_argument("--data", metavar="DIR", help="the shared data folder (default: ../shared/data)")
    e.add_argument("--fast", action="store_true", help="without sentence embeddings")
    e.add_argument("--limit", type=int, default=None, help="at most this many threads per data set")
    _add_common(e)
    for name, (module, helptext) in EVALUATIONS.items():
        e = esub.add_parser(name, help=helptext, description=f"Runs python -m {module}; extra options pass through.")
        e.add_argument("extra", nargs=argparse.REMAINDER, help="options of the evaluation script (e.g. --data DIR)")
        _add_common(e)


def _add_bench_parser(sub) -> None:
    """The options of `discourse bench NAME`."""
    p = sub.add_parser("bench", help="print throughput figures on synthetic data")
    bsub = p.add_subparsers(dest="what", metavar="WHAT")
    b = bsub.add_parser("parse", help="page-text parsing throughput (MB/s, comments/s)")
    b.add_argument("--mb", type=float, default=20.0, help="size of the synthetic page in MB")
    b.add_argument("--runs", type=int, default=3, help="timed runs (the median is reported)")
    _add_common(b)
    b = bsub.add_parser("analyze", help="analysis throughput per stage and peak memory, cold and warm cache")
    b.add_argument("--comments", type=int, default=20_000, help="synthetic comments (default 20,000)")
    b.add_argument("--threads", type=int, default=100, help="threads they are spread over")
    b.add_argument("--runs", type=int, default=3, help="warm runs (the median is reported)")
    b.add_argument("--one-core", action="store_true", help="pin the run to one CPU (the targets' setting)")
    b.add_argument("--triage", action="store_true", help="time `discourse triage` instead of the full analysis")
    b.add_argument("--cache-dir", help="embedding cache to use and keep (default: a fresh temporary one)")
    _add_common(b)
    b = bsub.add_parser("encode", help="sentence-encoder backends against sentence-transformers' defaults")
    b.add_argument("--texts", metavar="FILE", help="texts to encode, one per line (default: real posts from ../shared)")
    b.add_argument("--n", type=int, default=2000, help="how many texts (default 2,000)")
    b.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    _add_common(b)


def _add_serve_parsers(sub) -> None:
    """`discourse serve` (the queue in the browser) and `discourse users` (its moderators)."""
    db = {"default": "reports/triage.sqlite", "metavar": "FILE", "help": "queue database (default: reports/triage.sqlite)"}
    p = sub.add_parser("serve", help="work the moderation queue in the browser (log in, decide, see the history)",
                       description="Serve the triage queue as a web application and an HTTP API. Binds to "
                                   "loopback unless --host says otherwise.")
    p.add_argument("--db", **db)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--certfile", help="TLS certificate (PEM), to serve HTTPS")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    _add_common(p)
    p = sub.add_parser("users", help="moderators of `discourse serve`: add, list, make API tokens")
    p.add_argument("action", choices=("add", "token", "list"))
    p.add_argument("name", nargs="?", help="user name (add, token)")
    p.add_argument("--role", choices=("moderator", "admin"), default="moderator")
    p.add_argument("--password-file", metavar="FILE", help="read the password from FILE (else: prompt, or stdin)")
    p.add_argument("--db", **db)
    _add_common(p)


def cmd_serve(args) -> int:
    from discourse.serve.run import serve, users_command

    if args.command == "serve":
        return serve(args.db, args.host, args.port, args.certfile, args.keyfile)
    if args.action != "list" and not args.name:
        raise InputError(f"`discourse users {args.action}` needs a user NAME")
    return users_command(args)


#: ``discourse evaluate NAME`` → the evaluation module it runs.
EVALUATIONS = {
    "stance": ("evaluation.stance_eval", "reply stance macro-F1 on held-out RumourEval threads"),
    "sentiment": ("evaluation.sentiment_eval", "sentiment agreement with human ratings (VADER tweets)"),
    "targets": ("evaluation.target_eval", "target stance on held-out real data (RUW, SemEval-2016, VAST)"),
    "techniques": ("evaluation.framing_eval", "persuasion techniques micro-F1 per sentence"),
    "narratives": ("evaluation.narratives_eval", "narrative matching precision and recall"),
    "frames": ("evaluation.frames_eval", "frames per article micro-F1, held-out folds of SemEval-2023 train"),
    "toxicity": ("evaluation.toxicity_eval", "incivility ranking: average precision and P@20"),
    "veracity": ("evaluation.veracity_eval", "thread disinfo_risk ROC AUC, false vs true rumours"),
}


def build_decide_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="discourse triage decide",
                                description="Record a moderation decision for a queued comment. Decisions are "
                                            "appended, never overwritten: changing one needs --override.")
    p.add_argument("ident", metavar="COMMENT_ID",
                   help="the id column of `discourse triage`, a comment id, or THREAD:COMMENT")
    p.add_argument("decision", choices=("approve", "reject", "defer"))
    p.add_argument("--note", metavar="TEXT", help="why (kept with the decision)")
    p.add_argument("--db", default="reports/triage.sqlite", metavar="FILE",
                   help="queue database (default: reports/triage.sqlite)")
    p.add_argument("--override", action="store_true", help="change an earlier, different decision")
    _add_common(p)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted before the command as well as after it
    argv = [a for a in argv if a != "--debug"]
    if argv[:2] == ["triage", "decide"]:
        parser = build_decide_parser()
        args = parser.parse_args(argv[2:])
        args.command = "decide"
    else:
        parser = build_parser()
        args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.debug = debug
    _setup_logging(getattr(args, "quiet", False))
    try:
        if args.command == "parse":
            return cmd_parse(args)
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "triage":
            return cmd_triage(args)
        if args.command in ("report", "compare"):
            return cmd_report(args)
        if args.command == "decide":
            return cmd_decide(args)
        if args.command in ("serve", "users"):
            return cmd_serve(args)
        if args.command == "evaluate":
            return cmd_evaluate(args, parser)
        if args.command == "bench":
            return cmd_bench(args, parser)
    except DiscourseError as exc:
        print(f"discourse: error: {_line(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("discourse: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback with --debug
        if getattr(args, "debug", False):
            raise
        print(f"discourse: internal error: {type(exc).__name__}: {_line(exc)} (rerun with --debug and report it)",
              file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_USAGE


def _output_file(path: str | None, option: str) -> str | None:
    """Check, before any work, that ``path`` can be written as a file: one line if it cannot."""
    if path is None:
        return None
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name")
    parent = p.parent
    if not parent.is_dir():
        what = "is a file, not a folder" if parent.exists() or _under_a_file(parent) else "does not exist"
        raise InputError(f"{option} {path}: the folder {parent} {what}")
    return path


def _output_folder(path: str | Path, option: str = "-o") -> Path:
    """Create the output folder ``path`` now (with its parents): one line if it cannot be."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{option} {path}: is a file, not a folder; give a folder for the output")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a part of it is a file" if _under_a_file(p) else (exc.strerror or str(exc))
        raise InputError(f"{option} {path}: cannot create the folder ({why})") from None
    return p


def _under_a_file(path: Path) -> bool:
    return any(q.exists() and not q.is_dir() for q in path.parents)


def _open_output(path: str | None):
    if not path:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def cmd_parse(args) -> int:
    if args.format == "convokit" and not args.output:
        raise InputError("--format convokit writes a corpus folder: give it with -o DIR")
    if args.attach and args.format != "convokit":
        raise InputError("--attach only applies to --format convokit")
    if args.format != "convokit":
        _output_file(args.output, "-o")
    from discourse.embeddings import Embedder

    embedder = None if args.fast else Embedder()  # one encoder for every page, loaded on first use
    threads, failures = _read_all(args.paths, args.quiet, semantic=not args.fast, embedder=embedder,
                                  exclude=[args.output] if args.output else ())
    if args.format == "convokit":
        from discourse.writers.convokit import attach_tables, write_convokit

        write_convokit(threads, args.output, attach_tables(args.attach))
        return EXIT_FAILURE if failures else 0
    out = _open_output(args.output)
    try:
        if args.format == "jsonl":
            for t in threads:
                out.write(_jsonl_line(t.to_dict()))
        elif args.format == "json":
            json.dump([t.to_dict() for t in threads], out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            from discourse.writers.table import thread_table

            for t in threads:
                out.write(thread_table(t) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return EXIT_FAILURE if failures else 0


def _jsonl_line(obj) -> str:
    """One JSON Lines record. U+2028 and U+2029 are escaped: valid JSON raw, but line breaks to
    ``str.splitlines`` and to JavaScript before ES2019, which would cut the record in two."""
    return json.dumps(obj, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def _read_all(paths, quiet: bool, semantic: bool = True, manifest: str | None = None, embedder=None,
              exclude=()):
    """Threads from every readable input; unreadable paths and files are reported and counted,
    and the other inputs are still read. ``exclude``: this run's outputs, never read as inputs.

    Article metadata missing from the input (outlet, url, published) is filled from a manifest:
    ``--manifest FILE``, or a ``manifest.csv`` in an input folder or beside an input file.
    Thread ids are made unique across inputs (see ``readers.repair.unique_thread_ids``).
    """
    from discourse.progress import progress
    from discourse.readers import discover, read_path
    from discourse.readers.manifest import apply_manifests
    from discourse.readers.repair import unique_thread_ids

    threads, problems = [], []
    files = discover(paths, exclude=exclude, errors=problems)
    for problem in problems:
        print(f"discourse: error: {_line(problem)}", file=sys.stderr)
    failures = len(problems)
    for path in progress(files, desc="reading", unit="file", quiet=quiet):
        try:
            threads.extend(read_path(path, semantic=semantic, embedder=embedder))
        except InputError as exc:
            print(f"discourse: error: {_line(exc)}", file=sys.stderr)
            failures += 1
    unique_thread_ids(threads)
    try:
        apply_manifests(threads, paths, manifest)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot use the manifest: {exc}") from None
    return threads, failures


def _analyzer(args, stages=None, **options):
    """The Analyzer for a command's options, built before any input is read so a bad ``--skip``
    (unknown, or starving a later stage) fails at once with one line."""
    from discourse.analysis.pipeline import Analyzer

    skip = [s.strip() for s in (getattr(args, "skip", "") or "").split(",") if s.strip()]
    targets = [t.strip() for t in (getattr(args, "targets", None) or "").split(",") if t.strip()] or None
    domain = getattr(args, "domain", "russia_ukraine")
    if domain and str(domain).lower() != "none":
        from discourse.resources import data_path

        packs = sorted(p.stem for p in data_path("domains").glob("*.json"))
        if domain not in packs:  # a name, never a path: "../../x" must not leave the data folder
            raise InputError(f"--domain {domain!r}: no such domain pack; packaged: {', '.join(packs)} "
                             "(or 'none')")
    embedder = None
    if not args.fast:  # one encoder for the whole command: parsing and analysis (loaded on first use)
        from discourse.embeddings import Embedder

        embedder = Embedder()
    try:
        return Analyzer(stages=stages, skip=skip, targets=targets,
                        domain=None if str(domain).lower() == "none" else domain, embedder=embedder,
                        use_embeddings=not args.fast, quiet=args.quiet, **options)
    except ValueError as exc:
        raise InputError(f"--skip: {exc}" if skip else str(exc)) from None


def cmd_analyze(args) -> int:
    from discourse.writers.tables import write_tables

    from discourse.writers.outputs import mark_output

    if args.chunk_threads:
        return _analyze_streaming(args)
    analyzer = _analyzer(args)
    _output_folder(args.output)
    threads, failures = _read_all(args.paths, args.quiet, semantic=not args.fast, manifest=args.manifest,
                                  embedder=analyzer.embedder, exclude=[args.output])
    if not threads:
        print("discourse: error: nothing to analyse (no readable input)", file=sys.stderr)
        return EXIT_FAILURE
    result = analyzer.run(threads)
    formats = ("csv", "parquet") if args.format == "both" else (args.format,)
    written = write_tables(result.tables, args.output, formats=formats)
    mark_output(args.output, written)
    if not args.quiet:
        for note in result.notes:
            print(f"discourse: note: {note}", file=sys.stderr)
        n = len(result.tables["comments"])
        print(f"discourse: {len(threads)} threads, {n} comments: {len(written)} files in {args.output}",
              file=sys.stderr)
    return EXIT_FAILURE if failures else 0


def _analyze_streaming(args) -> int:
    from discourse.analysis.streaming import CORPUS_WIDE, TopicPass, stream_analyze

    wanted_topics = "topics" not in (args.skip or "").split(",")
    args.skip = ",".join([args.skip or "", *CORPUS_WIDE])
    analyzer = _analyzer(args)
    topics = TopicPass(analyzer.embedder, not args.fast, analyzer.seed) if wanted_topics else None
    manifest = stream_analyze(args.paths, args.output, analyzer, chunk_threads=args.chunk_threads,
                              resume=args.resume, csv=args.format in ("both", "csv"), topics=topics)
    if not args.quiet:
        for note in manifest["notes"]:
            print(f"discourse: note: {note}", file=sys.stderr)
        chunks = manifest["chunks"].values()
        print(f"discourse: {sum(c['threads'] for c in chunks)} threads, {sum(c['comments'] for c in chunks)} "
              f"comments in {len(chunks)} chunks: tables in {args.output}", file=sys.stderr)
    return 0


def cmd_report(args) -> int:
    from discourse.config import load_config
    from discourse.report import compare, write_reports
    from discourse.report.compare import check_grouping
    from discourse.writers.tables import write_tables

    from discourse.writers.outputs import mark_output

    analyzer = _analyzer(args, config=load_config(getattr(args, "config", None)))
    try:
        check_grouping(args.by, analyzer.stages)
    except ValueError as exc:
        raise InputError(f"--by: {exc}") from None
    out = _output_folder(args.output)
    threads, failures = _read_all(args.paths, args.quiet, semantic=not args.fast, manifest=args.manifest,
                                  embedder=analyzer.embedder, exclude=[out])
    if not threads:
        print("discourse: error: nothing to report on (no readable input)", file=sys.stderr)
        return EXIT_FAILURE
    result = analyzer.run(threads)
    from discourse.moderation.queue import attach_statuses

    # decisions made in the queue kept beside the report (triage.sqlite) are shown in it
    result.tables["comments"] = attach_statuses(result.tables["comments"], out / "triage.sqlite")
    try:
        compare(result.threads, result.tables, by=args.by, out_dir=out, quiet=args.quiet)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    mark_output(out, [p for p in out.iterdir() if p.name.startswith("compare") and p.is_file()])
    if args.command == "compare":
        if not args.quiet:
            print(f"discourse: comparison by {args.by} of {len(threads)} threads: {out / 'compare.html'}",
                  file=sys.stderr)
        return EXIT_FAILURE if failures else 0
    mark_output(out / "tables", write_tables(result.tables, out / "tables"))
    pages = write_reports(result.threads, result.tables, out, quiet=args.quiet)
    mark_output(out, pages)
    if not args.quiet:
        for note in result.notes:
            print(f"discourse: note: {note}", file=sys.stderr)
        index = next((p for p in pages if p.name == "index.html"), out / "index.html")
        print(f"discourse: {len(threads)} thread reports; open {index} (comparison: {out / 'compare.html'}; "
              f"tables: {out / 'tables'})", file=sys.stderr)
    return EXIT_FAILURE if failures else 0


def cmd_triage(args) -> int:
    from discourse.analysis.triage import TRIAGE_STAGES
    from discourse.config import load_config
    from discourse.moderation.queue import ReviewQueue
    from discourse.text import clip
    from discourse.writers.safe_text import terminal

    analyzer = _analyzer(args, stages=TRIAGE_STAGES, config=load_config(args.config))
    _output_file(args.output, "-o")
    _output_folder(Path(args.db).parent, f"--db {args.db}:")
    if Path(args.db).is_dir():
        raise InputError(f"--db {args.db}: is a folder; give a file name for the queue database")
    threads, failures = _read_all(args.paths, args.quiet, semantic=not args.fast, embedder=analyzer.embedder,
                                  exclude=[args.db] + ([args.output] if args.output else []))
    if not threads:
        print("discourse: error: nothing to triage (no readable input)", file=sys.stderr)
        return EXIT_FAILURE
    result = analyzer.run(threads)
    scored = result.comments
    with ReviewQueue(args.db) as queue:
        added = queue.add(scored, threads=threads, mode="fast" if args.fast else "full")
        top = queue.pending(limit=args.top or None)
    new = set(added["new"])
    rows = [{"rank": i + 1, "id": r["fingerprint"][:10], "new": r["fingerprint"] in new, "thread_id": r["thread_id"],
             "comment_id": r["comment_id"], "author": r["author"], "triage_priority": round(r["priority"], 3),
             "triage_reasons": r["reasons"], "text": r["text"]} for i, r in enumerate(top)]
    out = _open_output(args.output)
    try:
        if args.format == "json":
            json.dump(rows, out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif args.format == "csv":
            import pandas as pd

            from discourse.writers.safe_csv import to_csv

            to_csv(pd.DataFrame(rows, columns=list(rows[0]) if rows else ["rank"]), out)
        else:
            show = terminal  # names, ids and text are untrusted: no escape sequence reaches the terminal
            for r in rows:
                flag = "NEW " if r["new"] else ""
                out.write(f"{r['rank']:>3}. [{r['id']}] {flag}{show(r['thread_id'])}:{show(r['comment_id'])} "
                          f"{show(r['author'] or '-')}  priority {r['triage_priority']:.2f}\n")
                out.write(f"     why: {show(r['triage_reasons'] or 'no flag (low priority)')}\n")
                out.write(f"     text: {show(clip(r['text'], 110))}\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if not args.quiet:
        n_new = len(added["new"])
        edited = f"{len(added['superseded'])} edited (stale entry closed); " if added["superseded"] else ""
        print(f"discourse: {n_new} new comment{'s' if n_new != 1 else ''} queued; {added['pending']} already in the queue; "
              f"{added['decided']} already decided (not re-queued); {edited}queue: {args.db}", file=sys.stderr)
    return EXIT_FAILURE if failures else 0


def cmd_decide(args) -> int:
    from discourse.moderation.queue import PAST, ReviewQueue

    if not Path(args.db).is_file():
        raise InputError(f"--db {args.db}: no queue database there; run `discourse triage ... --db {args.db}` "
                         "first (decisions are recorded in the queue it fills)")
    with ReviewQueue(args.db) as queue:
        done = queue.decide(args.ident, args.decision, note=args.note, override=args.override)
    where = f"{done['thread_id']}:{done['comment_id']} [{done['fingerprint'][:10]}]"
    if not done["changed"]:
        print(f"{where} was already {PAST[args.decision]}; nothing recorded")
    elif done["previous"] and done["previous"] != args.decision:
        print(f"{where}: {PAST[done['previous']]} → {PAST[args.decision]} (history kept)")
    else:
        print(f"{where}: {PAST[args.decision]}")
    return 0


def _checkout_module(name: str):
    """Import ``evaluation.*`` or ``benchmarks.*``: they live beside the package in a checkout of the
    repository, not in the installed package. Looks in the current folder, then beside the package."""
    import importlib

    import discourse

    for root in (Path.cwd(), Path(discourse.__file__).resolve().parent.parent):
        if (root / name.split(".")[0] / "__init__.py").is_file():
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
            return importlib.import_module(name)
    raise DiscourseError(f"{name.split('.')[0]}/ is not installed with the package: run this command from a "
                         f"checkout of the discourse repository (python -m {name} there does the same)")


def cmd_evaluate(args, parser) -> int:
    if args.what == "parse":
        eval_main = _checkout_module("evaluation.parse_eval").main

        argv = []
        if args.data:
            argv += ["--data-dir", args.data]
        if args.fast:
            argv += ["--no-semantic"]
        if args.limit is not None:
            argv += ["--limit", str(args.limit)]
        return eval_main(argv) or 0
    if args.what in EVALUATIONS:
        module = _checkout_module(EVALUATIONS[args.what][0])
        return module.main(list(args.extra)) or 0
    parser.parse_args(["evaluate", "--help"])
    return EXIT_USAGE


def cmd_bench(args, parser) -> int:
    if args.what == "parse":
        bench_main = _checkout_module("benchmarks.bench_parse").main

        return bench_main(["--mb", str(args.mb), "--runs", str(args.runs)]) or 0
    if args.what == "analyze":
        bench_main = _checkout_module("benchmarks.bench_analyze").main

        return bench_main(["--comments", str(args.comments), "--threads", str(args.threads),
                           "--warm-runs", str(args.runs)] + (["--one-core"] if args.one_core else [])
                          + (["--triage"] if args.triage else [])
                          + (["--cache-dir", args.cache_dir] if args.cache_dir else [])) or 0
    if args.what == "encode":
        return _checkout_module("benchmarks.bench_encode").main(
            ["--n", str(args.n)] + (["--texts", args.texts] if args.texts else []) + (["--json"] if args.json else [])) or 0
    parser.parse_args(["bench", "--help"])
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""How well the narrative matcher separates loaded sentences from neutral ones.

Held-out figures (when ``../shared/data`` is beside the checkout): the SemEval-2025 Task 10
Ukraine-war documents that ``training/narratives.py`` holds out (a quarter, split by document,
never used to fit or tune the learned gate), scored per document (a narrative is found when any
sentence matches it), with the matcher without its gate beside it; and the share of neutral
sentences matched: the held-out documents labelled "Other" and the no-technique sentences of 60 PTC
news articles (neither tuned on).

Development aid only (not a result): a small hand-labelled list kept here, sentences in the voice of comments and articles, written for this
evaluation and not copied from the catalogue's examples or the sample threads (which the matcher's
threshold was checked against). Each positive names the sub-narrative it carries; each neutral
is wire-news or ordinary-comment language about the same war, the hard case for topic-driven
embedding similarity. A sentence counts as predicted positive when the matcher assigns it any
sub-narrative; a true positive needs the right one (``narrative_correct`` only the right narrative).

Off-domain false-positive rates are also reported on real text when ``../shared`` is present:
Globe and Mail reader comments (``sfu-toxicity-dev``) and the article sentences of the sample
threads 000/002/003/004 (wire news about drones, neutral by construction).

Run as ``python -m evaluation.narratives_eval [--cue-only] [--threshold T] [--errors]``.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

# (sentence, sub-narrative or None)
DEV_SET: list[tuple[str, str | None]] = [
    # --- positives -------------------------------------------------------------------------
    ("Kiev has been killing people in Donetsk since 2014 and now they cry about being attacked.",
     "Ukraine is the aggressor"),
    ("The Ukrainians shelled the Donbass for eight years, so spare me the outrage.", "Ukraine is the aggressor"),
    ("Nobody wants to admit that NATO moving east is what started all this.", "The West are the aggressors"),
    ("America is fighting Russia with Ukrainian lives, plain and simple.", "The West are the aggressors"),
    ("The collective West engineered this conflict from day one.", "The West are the aggressors"),
    ("There was no Ukraine before the Bolsheviks drew it on a map.", "Rewriting Ukraine's history"),
    ("Ukrainians are the most ungrateful people I have ever seen, always holding out a hand.",
     "Discrediting Ukrainian nation and society"),
    ("Their soldiers hide behind civilians and then film the ruins for the cameras.",
     "Discrediting Ukrainian military"),
    ("The Kiev regime will fall as soon as the money stops.", "Discrediting Ukrainian government and officials and policies"),
    ("Zelensky is a washed-up actor robbing his own country blind.",
     "Discrediting Ukrainian government and officials and policies"),
    ("Kyiv does whatever Washington tells it to do, it has no will of its own.", "Ukraine is a puppet of the West"),
    ("Zelensky is a puppet and Biden pulls the strings.", "Ukraine is a puppet of the West"),
    ("Half the rifles we sent are already being sold to gangs across Europe.", "Ukraine is a hub for criminal activities"),
    ("Ukraine is the most corrupt country in Europe, a paradise for money launderers.",
     "Ukraine is a hub for criminal activities"),
    ("Those Azov thugs with their SS tattoos are the heroes the West celebrates.", "Ukraine is associated with nazism"),
    ("The denazification of Ukraine must be completed.", "Ukraine is associated with nazism"),
    ("It's over for Ukraine, they just don't want to admit they've lost.", "Situation in Ukraine is hopeless"),
    ("Everything Russian is being banned in Europe, from Tchaikovsky to cats at shows.", "The West is russophobic"),
    ("Russophobia is the only ideology the EU has left.", "The West is russophobic"),
    ("Moscow warned for years and was left with no option but to act.", "Russia actions in Ukraine are only self-defence"),
    ("The special military operation is going according to plan.", "Russia actions in Ukraine are only self-defence"),
    ("The nationalists in Kiev want every Russian speaker silenced.", "UA is anti-RU extremists"),
    ("Russian missiles can hit any target in Europe and nothing can stop them.", "Praise of Russian military might"),
    ("Putin outsmarted every Western leader at every turn.", "Praise of Russian President Vladimir Putin"),
    ("The Russians are rebuilding the schools and hospitals that Kiev destroyed.", "Russia is a guarantor of peace and prosperity"),
    ("The rest of the world, Asia, Africa and Latin America, is on Russia's side.",
     "Russia has international support from a number of countries and people"),
    ("Ordinary Russians overwhelmingly back their army in this fight.", "Russian invasion has strong national support"),
    ("Once Ukraine gets the long-range missiles, the Russian army will be wiped out.", "NATO will destroy Russia"),
    ("Democracies will win because freedom always beats tyranny.", "The West belongs in the right side of history"),
    ("Russia has no friends left anywhere in the world.", "The West has the strongest international support"),
    ("The Russians are sending men with shovels and fighting with 1950s tanks, the end is near.",
     "Russian army is collapsing"),
    ("Crimea will be liberated by the end of next year.", "Russian army will lose all the occupied territories"),
    ("Ukraine's lines are breaking everywhere and soon there will be no army left.", "Ukrainian army is collapsing"),
    ("Brussels can't even agree on a common position, every capital is going its own way.", "The EU is divided"),
    ("Europe is too weak and decadent to defend itself.", "The West is weak"),
    ("The panic in Western capitals about Russia is completely over the top.", "The West is overreacting"),
    ("The arms makers are laughing all the way to the bank.",
     "The West does not care about Ukraine, only about its interests"),
    ("Talking to them is a waste of time; they broke every deal they ever signed.", "Diplomacy does/will not work"),
    ("Nobody in Washington cares about Ukraine anymore, the money has dried up.", "West is tired of Ukraine"),
    ("Our factories are closing because our politicians cut off Russian energy.",
     "Sanctions imposed by Western countries will backfire"),
    ("Our cities are full of Ukrainians living on benefits while locals wait for housing.",
     "The conflict will increase the Ukrainian refugee flows to Europe"),
    ("Remember when the news told us the Russians would run out of shells in a month?",
     "Western media is an instrument of propaganda"),
    ("Funny how the mainstream press never reports anything that contradicts the official line.",
     "Western media is an instrument of propaganda"),
    ("The newspapers just print whatever NATO press releases say.", "Western media is an instrument of propaganda"),
    ("The casualty numbers Kyiv puts out are invented.", "Ukrainian media cannot be trusted"),
    ("Keep escalating and we'll all end up in a war that ends civilisation.", "By continuing the war we risk WWIII"),
    ("If we let Putin win, the Baltic states will be his next target.", "Russia will also attack other countries"),
    ("One more step and Moscow will launch its nukes.", "There is a real possibility that nuclear weapons will be employed"),
    ("It's time for NATO to send troops and end this.", "NATO should/will directly intervene"),
    ("The Americans were brewing germs in laboratories near the Russian border.",
     "Secret Western biolabs and weapons programmes in Ukraine"),
    ("This war was planned years ago by the globalist elite.", "Global elites orchestrate the war"),
    # --- neutral: wire-news and ordinary comment language about the war -----------------------
    ("Russian forces launched 30 drones at the Kharkiv region overnight, the air force said.", None),
    ("Ukraine's defence ministry said its air defences destroyed most of the incoming missiles.", None),
    ("The European Union approved a new package of financial aid for Ukraine on Thursday.", None),
    ("NATO foreign ministers met in Brussels to discuss ammunition supplies.", None),
    ("Zelensky thanked the Dutch government for the delivery of F-16 jets.", None),
    ("The Kremlin said it had no comment on the reports.", None),
    ("Moscow and Kyiv exchanged dozens of prisoners of war in a deal brokered by the UAE.", None),
    ("Grain exports through the Black Sea corridor rose for a third month.", None),
    ("Officials in Kyiv said power had been restored to most districts after the strike.", None),
    ("The Russian defence ministry said its troops had taken control of a village near Bakhmut.", None),
    ("Analysts expect fighting to intensify in the east as the weather improves.", None),
    ("The company will open a factory in western Ukraine to produce artillery shells.", None),
    ("Prices for wheat fell after the announcement.", None),
    ("Germany pledged another billion euros in military assistance.", None),
    ("The United Nations said more than six million Ukrainians had fled abroad since the invasion.", None),
    ("Russia's central bank raised interest rates to fight inflation.", None),
    ("The minister declined to give exact production figures.", None),
    ("A spokesman for the Ukrainian navy said two Russian ships had been damaged.", None),
    ("The talks in Geneva ended without agreement, diplomats said.", None),
    ("Satellite images show new fortifications along the front line.", None),
    ("Interesting article, thanks for posting.", None),
    ("I visited Kiev in 2005 and loved the architecture.", None),
    ("Drones have completely changed how wars are fought.", None),
    ("My grandmother was born in Lviv and still has family there.", None),
    ("Does anyone know how many drones they actually produce per month?", None),
    ("The article doesn't say which company the joint venture is with.", None),
    ("Good to see European industry finally stepping up production.", None),
    ("The BBC had a long piece on this yesterday, worth reading.", None),
    ("Ukraine and Russia both use cheap commercial drones for reconnaissance.", None),
    ("This war has been a tragedy for ordinary people on both sides.", None),
    ("Sanctions take years to have a real effect on an economy that size.", None),
    ("Refugees from Ukraine have been welcomed in Poland and elsewhere.", None),
    ("Nuclear power plants in the war zone are monitored by the IAEA.", None),
    ("The Minsk agreements were signed in 2014 and 2015.", None),
    ("I think both sides will eventually have to negotiate.", None),
    ("Putin met the Chinese president in Beijing on Tuesday.", None),
    ("Western media reported the strike within minutes.", None),
    ("Can someone explain the difference between the Shahed and the Lancet?", None),
    ("Thanks, that's a good point about the supply chain.", None),
    ("He was speaking at a defence industry forum in Stockholm.", None),
]


def _sample_thread_sentences(root: Path):
    """The article sentences of the wire-news samples, and their text units."""
    from discourse.analysis.units import text_units
    from discourse.readers import read_threads
    from discourse.text import sentences

    files = [p for p in sorted((root / "threads").glob("*.txt")) if not p.name.startswith("001_")]
    units = text_units(read_threads(files, semantic=False), comments=False)
    return [s for t in units["text"] for s in sentences(t)], units


def _sfu_comments(shared: Path, limit: int = 360) -> list[str]:
    path = shared / "sfu-toxicity-dev" / "comments.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [row["comment"] for row in csv.DictReader(fh)][:limit]


def evaluate(matcher, dev=DEV_SET) -> dict[str, float]:
    """Precision/recall of ``matcher`` on ``dev`` (sentence-level, see the module docstring)."""
    texts = [t for t, _ in dev]
    found = matcher.score_sentences(texts)
    tp = fp = fn = nar_tp = 0
    errors = []
    for (text, gold), hits in zip(dev, found):
        labels = [h["subnarrative"] for h in hits]
        if gold is None:
            if hits:
                fp += 1
                errors.append(("FP", text, labels[:3]))
            continue
        if gold in labels:
            tp += 1
        else:
            fn += 1
            if hits:
                fp += 1
            errors.append(("FN", text, f"gold={gold}; got={labels[:3]}"))
        gold_nar = next(s["narrative"] for s in matcher.subs if s["subnarrative"] == gold)
        nar_tp += any(h["narrative"] == gold_nar for h in hits)
    positives = sum(1 for _, g in dev if g)
    predicted = sum(1 for h in found if h)
    return {
        "positives": positives,
        "neutrals": len(dev) - positives,
        "precision": tp / max(tp + fp, 1),
        "recall": tp / max(positives, 1),
        "narrative_recall": nar_tp / max(positives, 1),
        "neutral_false_positive_rate": sum(1 for (_, g), h in zip(dev, found) if g is None and h)
        / max(len(dev) - positives, 1),
        "predicted": predicted,
        "errors": errors,
    }


def held_out(matcher) -> None:
    """Per-document precision / recall on the held-out SemEval-2025 documents and neutral
    false-positive rates, the shipped matcher beside the same matcher without its learned gate."""
    from discourse.analysis.narratives import NarrativeMatcher

    try:
        from training.common import group_split
        from training.narratives import SEED, doc_scores, documents, matches, neutral_articles, prf
        docs = documents()
        neutral = neutral_articles()
    except SystemExit as exc:  # ../shared/data is not there
        print(f"held-out figures skipped: {exc}")
        return
    test = group_split([d["doc_id"] for d in docs], 0.25, seed=SEED)
    test_docs = [d for d, t in zip(docs, test) if t]
    n_neutral = sum(map(len, neutral))
    print(f"HELD OUT: {len(test_docs)} SemEval-2025 Ukraine-war documents "
          f"({sum(1 for d in test_docs if d['narratives'])} with a narrative), per document, narratives:")
    plain = NarrativeMatcher(embedder=matcher._embedder(), threshold=matcher.threshold, gate=False,
                             document_gate=False)
    for name, m in (("shipped matcher (learned gates)", matcher), ("without the gates (before)", plain)):
        g, p, hit, total = doc_scores(m, test_docs)
        pr = prf(g, p)
        fp = sum(1 for art in neutral for f in matches(m, art) if f)
        print(f"  {name:32s} P {pr[0]:.3f}  R {pr[1]:.3f}  F1 {pr[2]:.3f}; neutral sentences matched: "
              f"'Other' documents {hit}/{total} ({hit / max(total, 1):.3f}), PTC no-technique {fp}/{n_neutral} "
              f"({fp / n_neutral:.3f})")
    print()


def main(argv=None) -> int:
    from discourse.analysis.narratives import NarrativeMatcher

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cue-only", action="store_true", help="no sentence embeddings")
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--errors", action="store_true", help="list misclassified dev sentences")
    args = ap.parse_args(argv)
    m = NarrativeMatcher(use_embeddings=not args.cue_only, threshold=args.threshold)
    if not args.cue_only:
        held_out(m)
    print("DEVELOPMENT AID, not a result (sentences we wrote; the catalogue was tuned on them):")
    r = evaluate(m)
    print(f"dev set: {r['positives']} positive, {r['neutrals']} neutral sentences; threshold {m.threshold}")
    print(f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  narrative-level recall "
          f"{r['narrative_recall']:.3f}  neutral false-positive rate {r['neutral_false_positive_rate']:.3f}")
    if args.errors:
        for kind, text, info in r["errors"]:
            print(f"  {kind}: {text}  [{info}]")
    root = Path(__file__).resolve().parents[1]
    wire, units = _sample_thread_sentences(root)
    if wire:
        found = m.transform(units)  # per article, so the article gate reads each article whole
        n = len(found.drop_duplicates(["thread_id", "paragraph", "start"]))
        print(f"sample-thread article sentences (000/002/003/004): {n}/{len(wire)} matched "
              f"({n / len(wire):.3f})")
        if args.errors:
            for row in found.itertuples():
                print(f"  wire FP: {row.sentence[:120]}  [{row.subnarrative} {row.score}]")
    sfu = _sfu_comments(root.parent / "shared" / "data")
    if sfu:
        hits = m.score_sentences(sfu)
        n = sum(1 for h in hits if h)
        print(f"Globe and Mail comments (sfu-toxicity-dev, off-domain): {n}/{len(sfu)} matched ({n / len(sfu):.3f})")
        if args.errors:
            for s, h in zip(sfu, hits):
                if h:
                    print(f"  sfu FP: {s[:120]}  [{h[0]['subnarrative']} {h[0]['score']}]")
    else:
        print("../shared/data/sfu-toxicity-dev not found: off-domain rate skipped")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

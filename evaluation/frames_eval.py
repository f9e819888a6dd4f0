"""Frames per article, held out: five folds over the SemEval-2023 Task 3 English train articles
(split by article; thresholds tuned on a fifth of each fold's training articles, never on its test
articles), the learned head beside the catalogue tagger as it was and the frame prior.

    python -m evaluation.frames_eval        (needs ../shared/data; retrains the folds, not the shipped head)
"""
from __future__ import annotations


def main(argv=None) -> int:
    from training.frames import main as folds

    folds(["--no-write", *(argv or [])])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

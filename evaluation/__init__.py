"""Measuring discourse against gold data.

``gold`` loads real threads with known reply structure, ``render`` flattens them into page text
in the layouts readers meet in the wild, ``parse_eval`` scores the parser on those pages next to
simple linking baselines, and ``bench_parse`` times the parser on a large synthetic page.
"""

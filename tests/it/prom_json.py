#!/usr/bin/env python3
"""prom_json.py FILE: the samples of a Prometheus text exposition as JSON.

One array of {"name", "labels": {...}, "value"} objects, label values
unescaped (\\\\, \\", \\n); comment lines are skipped. A line that is not
a sample in the text format is an error (exit 1, the line on stderr), so
this is also a strict reader for the tests of tests/it/test_prom.sh.
"""
import json
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
SAMPLE = re.compile(r'^(' + NAME + r')(?:\{(.*)\})? (\S+)$')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), v)


def labels(text, line):
    out, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if m is None:
            sys.exit("prom_json: bad labels: " + line)
        if m.group(1) in out:
            sys.exit("prom_json: label twice: " + line)
        out[m.group(1)] = unescape(m.group(2))
        pos = m.end()
    return out


def main():
    samples = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "" or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if m is None:
                sys.exit("prom_json: not a sample: " + line)
            samples.append({"name": m.group(1),
                            "labels": labels(m.group(2) or "", line),
                            "value": float(m.group(3))})
    json.dump(samples, sys.stdout)


if __name__ == "__main__":
    main()

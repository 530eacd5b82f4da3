#!/usr/bin/env python3
"""Check the include graph of conntab against ARCHITECTURE.md.

ARCHITECTURE.md holds two tables that this script reads:

  | layer | may include |        each layer and the layers it may use
  | module | layer | owns |      each module of src/ and include/

A module is a file stem: include/X.h and src/X.c are module X. A .c file
without a header of its own (src/filter_parse.c) belongs to the module
whose row names it (`filter_parse.c`) in its "owns" column.
The check fails (exit 1, one line per finding) on:
  - a file whose module the table does not list;
  - an include from a module to a layer its own layer may not use;
  - a cycle of includes between modules.

usage: check_includes.py [ROOT]     (default: the tree this script is in)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ROW = re.compile(r'^\|\s*`?([A-Za-z0-9_./-]+)`?\s*\|\s*`?([A-Za-z0-9_, -]*?)`?\s*\|(.*)$')
NAMED_C = re.compile(r'`([A-Za-z0-9_]+)\.c`')


def read_tables(path):
    """The layer table, the module table, and which module names which .c."""
    layers, modules, named, section = {}, {}, {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('| layer |'):
                section = 'layers'
                continue
            if line.startswith('| module |'):
                section = 'modules'
                continue
            if not line.startswith('|'):
                section = None
                continue
            if section is None or re.match(r'^\|\s*-', line):
                continue
            m = ROW.match(line)
            if m is None:
                continue
            if section == 'layers':
                used = [w for w in re.split(r'[,\s]+', m.group(2)) if w]
                layers[m.group(1)] = set(used) | {m.group(1)}
            else:
                modules[m.group(1)] = m.group(2).strip()
                for c in NAMED_C.findall(m.group(3)):
                    named[c] = m.group(1)
    return layers, modules, named


def sources(root):
    """Every project file: (path relative to root, stem, is_header)."""
    out = []
    for top, ext in (('include', '.h'), ('src', '.c')):
        base = os.path.join(root, top)
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if name.endswith(ext) and not name.endswith('.bpf.c'):
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    out.append((rel, name[:-len(ext)], ext == '.h'))
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    layers, modules, named = read_tables(os.path.join(root, 'ARCHITECTURE.md'))
    files = sources(root)
    headers = {stem for _, stem, is_h in files if is_h}
    bad = []

    def module_of(stem, is_header):
        if is_header or stem in headers or stem in modules:
            return stem
        return named.get(stem, stem)

    edges = {}
    for rel, stem, is_header in files:
        with open(os.path.join(root, rel), encoding='utf-8') as f:
            incs = INCLUDE.findall(f.read())
        mod = module_of(stem, is_header)
        if mod not in modules:
            bad.append('%s: module %s is not in ARCHITECTURE.md' % (rel, mod))
            continue
        layer = modules[mod]
        if layer not in layers:
            bad.append('%s: layer %s of module %s is not in ARCHITECTURE.md'
                       % (rel, layer, mod))
            continue
        for inc in incs:
            dep = os.path.splitext(os.path.basename(inc))[0]
            if dep == mod or dep not in headers:
                continue
            if dep not in modules:
                continue        # reported where that header is checked
            edges.setdefault(mod, set()).add(dep)
            if modules[dep] not in layers[layer]:
                bad.append('%s: %s (%s) may not include %s (%s)'
                           % (rel, mod, layer, inc, modules[dep]))

    # cycles: depth-first search, reporting each cycle once by its path
    state, stack, seen = {}, [], set()

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(edges.get(m, ())):
            if state.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                key = frozenset(cyc)
                if key not in seen:
                    seen.add(key)
                    bad.append('include cycle: ' + ' -> '.join(cyc))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    for line in bad:
        print('check_includes: ' + line)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

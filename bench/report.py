#!/usr/bin/env python3
"""bench/report.py DIR OUT: the table of a bench/run.sh run.

DIR holds what run.sh wrote: cases.tsv (id, kind, runs, section, label,
ref), samples.tsv (id, round, wall, cpu, user, sys, maxrss KiB, status),
rows.tsv (id, rows printed in the warm-up), fail.tsv, meta.tsv, census.
Prints the table and the targets, and writes them with the machine's
description to OUT (markdown).
"""
import statistics
import sys

SECTIONS = [
    ("floors", "floors: the least work for each job"),
    ("list", "listing, no owners (peer: ss -tan)"),
    ("owners", "listing with owners (floor: dump + BPF iterator or /proc scan; peer: ss -tanp)"),
    ("info", "TCP internals (floor: dump with tcp_info [+ owners]; peer: ss -tani)"),
    ("filter", "a filter matching 10 sockets (floor: dump with bytecode [+ owners])"),
    ("group", "grouping by raddr (peer: the plain listing, conntab -P)"),
    ("export", "fleet export (floor: dump + /proc scan; peer: conntab -s)"),
    ("watch", "live view, event stream at 1 s (CPU per refresh)"),
]
# --all-netns: one section per size of BENCH_NETNS (see main())
NETNS_TITLE = ("every namespace at once: %s namespaces of 10 sockets (floor: "
               "their dumps one after another; peer: ip -all netns exec ss "
               "-tuanH)")

# (description, case, what: floor|peer|ref|refresh|rss, limit)
TARGETS = [
    ("conntab -P <= 1.3 x dump floor", "ct_P", "floor", 1.3),
    ("conntab -P <= 0.6 x ss -tan", "ct_P", "peer", 0.6),
    ("conntab <= 1.3 x (dump + owner floors)", "ct", "floor", 1.3),
    ("conntab <= 0.1 x ss -tanp", "ct", "peer", 0.1),
    ("conntab <= 1.3 x conntab -P (BPF; issue 11)", "ct", "ref", 1.3, "iter"),
    ("conntab <= 0.02 x ss -tanp (BPF; issue 11)", "ct", "peer", 0.02, "iter"),
    ("OWNERS=proc conntab <= 0.65 x (dump + /proc)", "ct_proc", "floor",
     0.65),
    ("conntab -P -i <= 0.4 x ss -tani (no owners either)", "ct_Pi", "peer", 0.4),
    ("conntab -i <= 0.4 x ss -tani (conntab with owners)", "ct_i", "peer", 0.4),
    ("conntab -P FILTER <= 0.2 x conntab -P", "ct_fP", "ref", 0.2),
    ("live view of one port <= 0.15 s CPU per refresh", "watch_f", "refresh", 0.15),
    ("live view, all sockets <= 0.2 s CPU/refresh", "watch", "refresh", 0.2),
    ("conntab -g raddr <= 1.2 x conntab -P (issue 4)", "ct_g", "peer", 1.2),
    ("conntab --format prometheus <= 1.1 x conntab -s", "ct_prom", "peer", 1.1),
    ("peak RSS <= 48 MiB, every conntab row", None, "rss", 48.0),
    ("--all-netns -P <= 0.5 x ip -all netns exec ss (100 ns)", "ns100_ct",
     "peer", 0.5),
    ("--all-netns -P <= 0.7 x serial floor (100 ns)", "ns100_ct", "floor",
     0.7),
    ("--all-netns -P <= 0.7 x serial floor (250 ns)", "ns250_ct", "floor",
     0.7),
]


def read_tsv(path):
    try:
        with open(path) as f:
            return [l.rstrip("\n").split("\t") for l in f if l.strip()]
    except FileNotFoundError:
        return []


def main():
    d, out = sys.argv[1], sys.argv[2]
    meta = {r[0]: r[1] if len(r) > 1 else "" for r in read_tsv(d + "/meta.tsv")}
    cases = {}
    order = []
    for r in read_tsv(d + "/cases.tsv"):
        cid, kind, runs, section, label, ref = r
        refs = {}
        if ref != "-":
            for part in ref.split(";"):
                k, v = part.split("=")
                refs[k] = v
        cases[cid] = dict(kind=kind, runs=runs, section=section, label=label,
                          refs=refs, samples=[], fails=[])
        order.append(cid)
    for r in read_tsv(d + "/samples.tsv"):
        cid, rnd, wall, cpu, user, sysc, rss, st = r
        ok = st == "0" or (cid.startswith("watch") and st == "124")
        if ok:
            cases[cid]["samples"].append(
                (float(wall), float(cpu), float(user), float(sysc), int(rss)))
        else:
            cases[cid]["fails"].append(st)
    rows = {r[0]: r[1] for r in read_tsv(d + "/rows.tsv")}
    census = [l[0] for l in read_tsv(d + "/census")]
    watch_secs = float(meta.get("watch_secs", "30"))

    def med(cid, i):
        s = cases.get(cid, {}).get("samples", [])
        return statistics.median(x[i] for x in s) if s else None

    def floor_of(cid, i):
        parts = cases[cid]["refs"].get("floor", "").split("+")
        vals = [med(p, i) for p in parts if p]
        return sum(vals) if vals and None not in vals else None

    def ratio(a, b):
        return a / b if a is not None and b else None

    def refreshes(cid):
        # one refresh per interval (1 s) over the run
        w = med(cid, 0)
        return max(1.0, round(w)) if w is not None else None

    def fmt_ratio(cid, other):
        w = ratio(med(cid, 0), other(0))
        c = ratio(med(cid, 1), other(1))
        if w is None:
            return "-"
        return "%.2f/%.2f" % (w, c) if c is not None else "%.2f" % w

    sizes = meta.get("netns_sizes", "").split()
    sections = SECTIONS + [("netns" + z, NETNS_TITLE % z) for z in sizes]
    lines = []
    hdr = ("%-44s %4s %19s %19s %7s %7s %11s %11s" %
           ("command", "runs", "wall s: med (range)", "CPU s: med (range)",
            "RSS MiB", "rows", "x floor", "x peer"))
    lines.append(hdr)
    lines.append("%-44s %4s %19s %19s %7s %7s %11s %11s" %
                 ("", "", "", "", "max", "", "wall/CPU", "wall/CPU"))
    for sec, title in sections:
        ids = [c for c in order if cases[c]["section"] == sec]
        if sec == "watch" and not ids:
            lines.append("")
            lines.append("%s: n/a (this conntab has no -w)" % title)
            continue
        if not ids:
            continue
        lines.append("")
        lines.append(title)
        for cid in ids:
            c = cases[cid]
            s = c["samples"]
            if not s:
                lines.append("  %-42s %4s  failed: status %s" %
                             (c["label"][:42], 0, ",".join(c["fails"]) or "?"))
                continue
            walls = [x[0] for x in s]
            cpus = [x[1] for x in s]
            rss = max(x[4] for x in s) / 1024.0
            wcol = "%6.3f (%.2f-%.2f)" % (med(cid, 0), min(walls), max(walls))
            ccol = "%6.3f (%.2f-%.2f)" % (med(cid, 1), min(cpus), max(cpus))
            fcol = pcol = "-"
            if "floor" in c["refs"]:
                fcol = fmt_ratio(cid, lambda i: floor_of(cid, i))
            peer = c["refs"].get("peer")
            if peer:
                pcol = fmt_ratio(cid, lambda i: med(peer, i))
            if c["refs"].get("refresh"):
                n = refreshes(cid)
                fcol = "%.3f s/ref" % (med(cid, 1) / n)
            flag = " !" if c["fails"] else ""
            lines.append("  %-42s %4d %19s %19s %7.1f %7s %11s %11s%s" %
                         (c["label"][:42], len(s), wcol, ccol, rss,
                          rows.get(cid, "-"), fcol, pcol, flag))
    # targets
    tl = []
    met_all = True
    for target in TARGETS:
        desc, cid, what, limit = target[:4]
        desc = desc.replace("FILTER", meta.get("filter", "sport :P"))
        # a target for the BPF iterator only, when conntab did not load it
        if len(target) > 4 and meta.get(target[4]) != "1":
            tl.append((desc, "n/a (no BPF iterator here)", "n/a"))
            continue
        if what == "rss":
            worst = None
            for k in order:
                if cases[k]["kind"] == "conntab" and cases[k]["samples"]:
                    v = max(x[4] for x in cases[k]["samples"]) / 1024.0
                    if worst is None or v > worst[0]:
                        worst = (v, cases[k]["label"])
            if worst is None:
                tl.append((desc, "n/a", "n/a"))
                continue
            ok = worst[0] <= limit
            tl.append((desc, "%.1f MiB (%s)" % worst, "met" if ok else "MISSED"))
            met_all &= ok
            continue
        if cid not in cases or not cases[cid]["samples"]:
            tl.append((desc, "n/a", "n/a"))
            continue
        c = cases[cid]
        if what == "refresh":
            v = med(cid, 1) / refreshes(cid)
            shown = "%.3f s CPU (%d refreshes in %.0f s)" % (
                v, refreshes(cid), med(cid, 0))
            vc = v
        else:
            if what == "floor":
                other = lambda i: floor_of(cid, i)
            else:
                ref = c["refs"].get(what)
                other = lambda i, ref=ref: med(ref, i)
            v = ratio(med(cid, 0), other(0))
            vc = ratio(med(cid, 1), other(1))
            if v is None:
                tl.append((desc, "n/a", "n/a"))
                continue
            shown = "%.3f wall, %.3f CPU" % (v, vc)
        ok = v <= limit
        verdict = "met" if ok else "MISSED"
        if not ok and vc is not None and vc <= limit:
            verdict = "missed on wall, met on CPU"
        met_all &= ok
        tl.append((desc, shown, verdict))
    # the close-event row (churn.tsv, when run.sh ran it)
    churn = {}
    try:
        churn = {r[0]: r[1] if len(r) > 1 else "" for r in read_tsv(d + "/churn.tsv")}
    except OSError:
        pass
    if churn:
        made = int(churn.get("made") or 0)
        evs = int(churn.get("events") or 0)
        t = churn.get("time", "").split()
        lines.append("")
        lines.append("close events: the event stream of one port (conntab -w -d 1 "
                     "--format json :PORT) under short connections")
        if len(t) >= 6 and made > 0:
            wall, cpu = float(t[0]), float(t[1])
            secs = float(churn.get("secs") or 1)
            lines.append("  asked %s conn/s for %s s; made %d (%.0f/s); close "
                         "events %d of %d expected (2 ends each); lost-lines %s "
                         "(%s events)" % (churn.get("rate"), churn.get("secs"),
                                          made, made / secs, evs, 2 * made,
                                          churn.get("lost_lines"),
                                          churn.get("lost")))
            lines.append("  conntab: %.2f s CPU in %.1f s wall (%.0f%% of a core), "
                         "%.1f us CPU per event, peak RSS %.1f MiB"
                         % (cpu, wall, 100 * cpu / wall if wall else 0,
                            1e6 * cpu / evs if evs else 0, int(t[4]) / 1024.0))
        else:
            lines.append("  failed: %s %s" % (churn.get("time"),
                                               churn.get("churn_err")))
    lines.append("")
    lines.append("targets (ratios of medians)")
    for desc, shown, verdict in tl:
        lines.append("  %-52s %-34s %s" % (desc, shown, verdict))

    if churn:
        made = int(churn.get("made") or 0)
        evs = int(churn.get("events") or 0)
        ok = made > 0 and evs == 2 * made and churn.get("lost_lines") == "0"
        lines.append("  %-52s %-34s %s" % (
            "close events: none lost at %s conn/s" % churn.get("rate"),
            "%d of %d, %s lost-lines" % (evs, 2 * made, churn.get("lost_lines")),
            "met" if ok else "MISSED"))

    n = int(meta.get("n", "0"))
    head = ("conntab bench: N = %d pairs; %s; %s cores; %s; %s" %
            (n, meta.get("kernel", "?"), meta.get("cores", "?"),
             meta.get("date", "?"), "load " + meta.get("load", "?")))
    table = "\n".join(lines)
    print(head)
    print(table)

    notes = []
    notes.append("Every command runs with its output on /dev/null, timed by "
                 "bench/timeit (wait4 rusage: CPU = user + sys, RSS = peak "
                 "resident set). Each round runs every command once, the "
                 "start rotating; %s timed rounds after one untimed warm-up "
                 "(which also counts the rows printed). The slow ones "
                 "(ss -tanp, netstat -tanp, the live view) run %s times, "
                 "without warm-up." % (meta.get("runs"), meta.get("slow_runs")))
    notes.append("rows: lines printed, header included; for a floor, the "
                 "sockets it counted.")
    notes.append("x floor and x peer: median against median, wall time / CPU "
                 "time. A floor is bench/floor: one sock_diag dump of the "
                 "same shape as conntab's that only counts the replies, a "
                 "/proc/*/fd scan (one thread) that only collects socket "
                 "inodes, or conntab's BPF task_file iterator loaded and "
                 "read to the end, collecting the same.")
    if meta.get("iter") == "1":
        notes.append("Owners: conntab loaded its BPF iterator here, so the "
                     "plain conntab rows (and the live view) take owners "
                     "from it, their owner floor being the iterator's; "
                     "`CONNTAB_OWNERS=proc` rows walk /proc on every core "
                     "(one-shot) or use the /proc cache (live view).")
    else:
        notes.append("Owners: conntab could not load its BPF iterator here "
                     "(not root, no BTF, or built without clang and "
                     "bpftool): every row walks /proc.")
    if meta.get("filter", "").startswith(":"):
        notes.append("This conntab's filter is the stub that knows only "
                     "':PORT' (either end): the filter rows ran `%s`, which "
                     "matches the 10 sockets on local port %s and the 9 "
                     "clients connected to it (19 rows), without kernel "
                     "push-down." % (meta.get("filter"), meta.get("port")))
    if n != 100000:
        notes.append("The targets are set for N = 100000 (200,000 sockets); "
                     "at N = %d they are only indicative." % n)
    if meta.get("watch") != "1":
        notes.append("This conntab has no -w: the live-view row is n/a.")
    else:
        notes.append("Live view: `timeout %s conntab -w -d 1 [:%s] "
                     ">/dev/null` (the event stream); CPU per refresh = CPU "
                     "time / (run time / 1 s). The target is for the view of "
                     "one port, as SPEC 7 uses it (`conntab -w :500`); over "
                     "the whole table every refresh is a full dump, whose "
                     "floor alone is above 0.15 s at N = 100000."
                     % (meta.get("watch_secs"), meta.get("port")))
    if churn:
        notes.append("Close events: bench/churn (tests/it/churn.c) opens %s "
                     "connections a second to one port for %s s, one after "
                     "another, each carrying 100 bytes, the server closing "
                     "first (its TIME_WAIT entries are reused on loopback); "
                     "conntab -w -d 1 --format json :PORT runs throughout, "
                     "timed by bench/timeit through sh. Its close events of "
                     "connections (either end) are counted against two per "
                     "connection made; the target is none lost. The churn "
                     "itself takes a core at 10,000/s: on a 2-core machine "
                     "the achieved rate may fall short of the asked one."
                     % (churn.get("rate"), churn.get("secs")))
    if sizes:
        notes.append("--all-netns rows: bench/nspop makes the namespaces "
                     "(%s), bind-mounted in a private /run/netns, each with "
                     "the same listener on 127.0.0.1:8080, 4 connections and "
                     "a UDP socket, all held by one process; the big "
                     "population is gone by then. conntab dumps every "
                     "namespace of the host (these, its own and the host's), "
                     "in one thread per core, so on a busy host its first "
                     "row counts the others' sockets too; the 'netns "
                     "ctbench*' row keeps to the floor's namespaces (the "
                     "others are found but not entered). The 1-thread row is "
                     "CONNTAB_THREADS=1. The floor enters each namespace, "
                     "opens a socket there and makes conntab's three dumps, "
                     "one namespace after another. Threads shorten the dumps "
                     "only where the kernel runs them at once: Linux 6.9 and "
                     "later (before, one mutex, inet_diag_table_mutex, "
                     "serialises every inet_diag dump of the host)."
                     % ", ".join(sizes))
    md = []
    md.append("# conntab benchmark results")
    md.append("")
    md.append("Produced by `%s` (bench/run.sh), as root." % meta.get("command"))
    md.append("")
    md.append("- date: %s" % meta.get("date"))
    md.append("- machine: %s, %s cores, %s RAM; load average at the end: %s"
              % (meta.get("cpu"), meta.get("cores"), meta.get("memory"),
                 meta.get("load")))
    md.append("- kernel: %s" % meta.get("kernel"))
    md.append("- conntab %s; %s; %s" % (meta.get("conntab"), meta.get("ss"),
                                         meta.get("netstat")))
    md.append("- population (bench/populate, private network namespace, "
              "loopback only): %s" % meta.get("populate"))
    md.append("- the namespace's TCP hash: %s buckets (negative: shared "
              "with the host)" % meta.get("ehash"))
    md.append("- counted by ss: %s" % ", ".join(census))
    md.append("- the timed rounds took %s s" % meta.get("elapsed"))
    md.append("")
    md.append("```")
    md.append(table)
    md.append("```")
    md.append("")
    for note in notes:
        md.append("- " + note)
    with open(out, "w") as f:
        f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()

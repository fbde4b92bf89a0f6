#!/usr/bin/env python3
"""Judge `picklewarden scan --json` output against the evasion manifest.

  compare.py MANIFEST SCAN_JSON KNOWN_GAPS

A malicious fixture must be `malicious`; a benign one (twins, pinning cases,
peers' safe files) must not be.  A fixture listed in KNOWN_GAPS (name, TAB,
class, TAB, reason) is reported as KNOWN GAP instead of failing; a listed
fixture that now gets the right verdict FAILS with "remove from
known-gaps", so the list can only shrink.  Exit 0 when nothing failed.
"""
import json
import os
import sys


def load_gaps(path):
    gaps = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) != 3 or not all(parts):
                sys.exit('%s:%d: expected NAME<TAB>CLASS<TAB>REASON' % (path, n))
            if parts[0] in gaps:
                sys.exit('%s:%d: %s listed twice' % (path, n, parts[0]))
            gaps[parts[0]] = (parts[1], parts[2])
    return gaps


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        manifest = json.load(f)
    with open(argv[2]) as f:
        scan = json.load(f)
    gaps = load_gaps(argv[3])
    verdicts = {os.path.basename(x['path']): x for x in scan['files']}
    failures = []
    classes = {}
    for m in manifest:
        name = m['name']
        c = classes.setdefault(m['cls'], dict(mal=0, caught=0, missed=[], ben=0,
                                              fp=[], gap=0))
        got = verdicts.get(name)
        if got is None:
            failures.append('%s: not in the scan output' % name)
            continue
        v = got['verdict']
        if m['verdict'] == 'malicious':
            c['mal'] += 1
            ok = v == 'malicious'
            if ok:
                c['caught'] += 1
            else:
                c['missed'].append('%s (%s)' % (name, v))
        else:
            c['ben'] += 1
            ok = v != 'malicious'
            if not ok:
                c['fp'].append(name)
        if name in gaps:
            if ok:
                failures.append('%s: now %s as expected: remove from known-gaps'
                                % (name, v))
            else:
                c['gap'] += 1
                print('KNOWN GAP %s: %s (%s)' % (name, v, gaps[name][1]))
        elif not ok:
            failures.append('%s: expected %s, got %s' % (
                name, 'malicious' if m['verdict'] == 'malicious' else 'not malicious', v))
    names = {m['name'] for m in manifest}
    for g in sorted(set(gaps) - names):
        print('note: known-gaps lists %s, which this machine did not generate' % g)
    print()
    print('%-22s %6s %6s %6s %7s %6s %5s' % ('class', 'malic', 'caught', 'missed',
                                            'benign', 'falsep', 'gaps'))
    tot = [0] * 6
    for k in sorted(classes):
        c = classes[k]
        row = [c['mal'], c['caught'], len(c['missed']), c['ben'], len(c['fp']), c['gap']]
        tot = [a + b for a, b in zip(tot, row)]
        print('%-22s %6d %6d %6d %7d %6d %5d' % (k, *row))
    print('%-22s %6d %6d %6d %7d %6d %5d' % ('total', *tot))
    for k in sorted(classes):
        c = classes[k]
        for x in c['missed']:
            print('missed   %-22s %s' % (k, x))
        for x in c['fp']:
            print('falsepos %-22s %s' % (k, x))
    for f in failures:
        print('FAIL ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

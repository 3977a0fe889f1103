#!/usr/bin/env python3
"""Compares guide's timelines for the naspi-like workload with the peers' output, recipient by
recipient: scene ids in order, durations, text lines, pop-up titles and bodies, button labels
and URLs, and the rating. What guide adds (start times, variant id, pop-up ids and button
labels, captions, narration) is ignored.

usage: compare.py PEERS.jsonl GUIDE.jsonl
  PEERS.jsonl  the output of a peer (../shared/peers: minijinja, handlebars or ink, which agree)
  GUIDE.jsonl  guide render examples/naspi-peer --data recipients.jsonl --out GUIDE.jsonl
Exit code 0 when every recipient agrees, 1 otherwise (the first differences are printed).
"""
import json
import sys


def peer_view(p):
    scenes = []
    for s in p["scenes"]:
        popup = s.get("popup")
        scenes.append({
            "id": s["id"],
            "duration_ms": round(s["duration"] * 1000),
            "texts": s["text"],
            "popups": [[popup["title"], popup["body"]]] if popup else [],
            "buttons": [[b["label"], b["url"]] for b in s.get("buttons", [])],
        })
    r = p["scenes"][-1]["rating"]
    return scenes, [r["prompt"], r["min"], r["max"]]


def guide_view(g):
    scenes = []
    for s in g["scenes"] + [g["ending"]]:
        scenes.append({
            "id": s["id"],
            "duration_ms": s["duration_ms"],
            "texts": s["texts"],
            "popups": [[p["title"], p["body"]] for p in s["popups"]],
            "buttons": [[b["label"], b["url"]] for b in s["buttons"]],
        })
    r = g["ending"]["rating"]
    return scenes, [r["question"], r["min"], r["max"]]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    n = bad = 0
    with open(sys.argv[1], encoding="utf-8") as fp, open(sys.argv[2], encoding="utf-8") as fg:
        for lp, lg in zip(fp, fg, strict=True):
            n += 1
            if peer_view(json.loads(lp)) != guide_view(json.loads(lg)):
                bad += 1
                if bad <= 5:
                    print(f"recipient {n} differs:\n  peers {peer_view(json.loads(lp))}\n"
                          f"  guide {guide_view(json.loads(lg))}", file=sys.stderr)
    print(f"{n} recipients compared, {n - bad} identical, {bad} different")
    return 0 if bad == 0 and n > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

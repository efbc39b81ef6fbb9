#!/usr/bin/env python3
"""Writes ../synthetic-mcqa.jsonl: 64 learnable 4-choice questions in the style of the fixture corpus.

Standard library only; deterministic (fixed seed). Run from any folder:
    python3 generate_synthetic_mcqa.py
Rule to learn: the correct choice is the one equal to the question's subject ("what the cat likes?" -> "cat").
The three distractors are distinct other subjects, so exactly one choice matches.
"""
import json
import os
import random

SEED = 20261122
SUBJECTS = ["cat", "river", "engine", "violin", "planet", "market", "doctor", "garden"]
VERBS = ["likes", "moves", "holds", "needs", "finds", "makes"]
NUM_CHOICES = 4


def main():
    rng = random.Random(SEED)
    # every (subject, answer position) pair twice: balanced answers, no subject-position shortcut
    pairs = [(s, p) for s in SUBJECTS for p in range(NUM_CHOICES)] * 2
    rng.shuffle(pairs)
    rows = []
    for i, (subject, position) in enumerate(pairs):
        verb = rng.choice(VERBS)
        distractors = rng.sample([s for s in SUBJECTS if s != subject], NUM_CHOICES - 1)
        choices = distractors[:position] + [subject] + distractors[position:]
        rows.append({"id": f"synthetic-{i:02d}",
                     "question": f"Question: what the {subject} {verb}?",
                     "choices": choices,
                     "answer": position})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "synthetic-mcqa.jsonl")
    with open(os.path.normpath(out), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    print(f"wrote {len(rows)} rows to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()

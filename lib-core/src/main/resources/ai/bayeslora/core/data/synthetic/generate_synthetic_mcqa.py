#!/usr/bin/env python3
"""Writes the bundled synthetic MCQA files next to this folder's parent:
  ../synthetic-mcqa.jsonl        64 learnable 4-choice questions (the in-domain test split),
  ../synthetic-mcqa-train.jsonl  768 training questions from the same recipe with another seed,
  ../synthetic-mcqa-ood.jsonl    64 shifted questions: same rule, but subjects and verbs the tokenizer never saw
                                 (a distribution shift for OOD detection).

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


OOD_SUBJECTS = ["table", "horse", "cloud", "bridge", "lamp", "forest", "window", "letter"]
OOD_VERBS = ["paints", "carries", "watches", "opens", "builds", "sells"]


def generate(seed, subjects, verbs, repeats, prefix):
    rng = random.Random(seed)
    # every (subject, answer position) pair twice: balanced answers, no subject-position shortcut
    pairs = [(s, p) for s in subjects for p in range(NUM_CHOICES)] * repeats
    rng.shuffle(pairs)
    rows = []
    for i, (subject, position) in enumerate(pairs):
        verb = rng.choice(verbs)
        distractors = rng.sample([s for s in subjects if s != subject], NUM_CHOICES - 1)
        choices = distractors[:position] + [subject] + distractors[position:]
        rows.append({"id": f"{prefix}-{i:02d}",
                     "question": f"Question: what the {subject} {verb}?",
                     "choices": choices,
                     "answer": position})
    return rows


def write(name, rows):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, name)
    with open(os.path.normpath(out), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    print(f"wrote {len(rows)} rows to {os.path.normpath(out)}")


def main():
    test = generate(SEED, SUBJECTS, VERBS, 2, "synthetic")
    write("synthetic-mcqa.jsonl", test)
    # training questions never repeat a test question (same question text and choices)
    seen = {(r["question"], tuple(r["choices"])) for r in test}
    train = [r for r in generate(SEED + 1, SUBJECTS, VERBS, 24, "train") if (r["question"], tuple(r["choices"])) not in seen]
    write("synthetic-mcqa-train.jsonl", train)
    write("synthetic-mcqa-ood.jsonl", generate(SEED + 2, OOD_SUBJECTS, OOD_VERBS, 2, "ood"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Embeds the same texts as `reclab bench embed --write-texts FILE` with sentence-transformers,
so both are measured on one machine, with one model, in one run.

    python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers
    reclab bench embed --model all-MiniLM-L6-v2 --texts short --n 512 --write-texts short.txt
    /tmp/st/bin/python scripts/bench-sentence-transformers.py reference-model/all-MiniLM-L6-v2 short.txt --threads 2

Prints items/s per batch size (median of the runs after a warm-up batch), and with --vectors
the vectors as JSON lines, for comparing with `reclab encode`.
"""
import argparse
import json
import statistics
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("texts")
    ap.add_argument("--batch-sizes", default="16,32,64")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--vectors", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON object per batch size")
    args = ap.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(args.threads)
    model = SentenceTransformer(args.model_dir, device="cpu")
    with open(args.texts, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    if args.vectors:
        for t, v in zip(texts, model.encode(texts, normalize_embeddings=True)):
            print(json.dumps({"text": t, "vector": [float(x) for x in v]}))
        return 0
    if not args.json:
        print(f"sentence-transformers, torch {torch.__version__}, {args.threads} thread(s), {len(texts)} texts")
    for b in [int(x) for x in args.batch_sizes.split(",")]:
        model.encode(texts[:b], batch_size=b, normalize_embeddings=True)
        rates = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            model.encode(texts, batch_size=b, normalize_embeddings=True)
            rates.append(len(texts) / (time.perf_counter() - t))
        if args.json:
            print(json.dumps({"batch": b, "threads": args.threads, "items_per_s": statistics.median(rates), "runs": rates}))
            continue
        runs = ",".join(f"{r:.1f}" for r in rates)
        print(f"batch {b:>4}  {statistics.median(rates):8.1f} items/s   runs {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

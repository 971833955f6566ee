#!/usr/bin/env python3
"""Times mistral-common on the same corpus and files as the MistralTokenizerBenchmarks executable.

    python scripts/tokenizer-bench.py --tokenizer-dir DIR [--seconds S]

Prints one JSON object per tokenizer file in DIR's fixtures.json: load time of
`MistralTokenizer.from_file` (the tiktoken / sentencepiece model included), and encode throughput
through `instruct_tokenizer.tokenizer.encode(text, bos=False, eos=False)`, text by text and as one
document. Single-threaded, like the Swift side.
"""

import argparse
import json
import time
from pathlib import Path

from mistral_common.tokens.tokenizers.mistral import MistralTokenizer


def repeat_for(seconds: float, body) -> tuple[int, int, float]:
    body()
    rounds = tokens = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds or rounds < 2:
        tokens += body()
        rounds += 1
        elapsed = time.perf_counter() - start
    return rounds, tokens, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer-dir", required=True, type=Path)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    fixtures = json.loads((args.tokenizer_dir / "fixtures.json").read_text(encoding="utf-8"))
    corpus = fixtures["corpus"]
    corpus_bytes = sum(len(text.encode("utf-8")) for text in corpus)
    document = "\n".join(corpus)
    document_bytes = len(document.encode("utf-8"))
    # Corpus texts 1..42: prose in many languages and code, without the stress cases.
    prose = "\n".join(corpus[1:43])
    prose_bytes = len(prose.encode("utf-8"))
    for name in fixtures["tokenizers"]:
        load_times = []
        for _ in range(5):
            start = time.perf_counter()
            tokenizer = MistralTokenizer.from_file(str(args.tokenizer_dir / name))
            load_times.append(time.perf_counter() - start)
        inner = tokenizer.instruct_tokenizer.tokenizer
        encode = inner.encode
        per_text = repeat_for(args.seconds, lambda: sum(len(encode(text, False, False)) for text in corpus))
        whole = repeat_for(args.seconds, lambda: len(encode(document, False, False)))
        natural = repeat_for(args.seconds, lambda: len(encode(prose, False, False)))
        print(json.dumps({
            "implementation": "mistral-common",
            "file": name,
            "load_first_s": load_times[0],
            "load_median_s": sorted(load_times)[len(load_times) // 2],
            "per_text_mb_s": corpus_bytes * per_text[0] / per_text[2] / 1e6,
            "per_text_tokens_s": per_text[1] / per_text[2],
            "document_mb_s": document_bytes * whole[0] / whole[2] / 1e6,
            "document_tokens_s": whole[1] / whole[2],
            "natural_mb_s": prose_bytes * natural[0] / natural[2] / 1e6,
        }), flush=True)


if __name__ == "__main__":
    main()

"""The report of a benchmark run: results.json (everything), report.md (tables) and the
terminal table."""
import json
import os
from typing import Dict, List


def _fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _gate(row) -> str:
    g = row.get("gate")
    if g is None:
        return "reference" if row["engine"] != "xval" and not row["options"] else "no reference"
    if g["status"] == "equal":
        return f"equal to {g['reference']}"
    if g["status"] == "differs":
        return f"DIFFERS from {g.get('reference', '?')} ({g['documents_differ']} documents)"
    return g["status"]


def speed_rows(results: Dict) -> List[List[str]]:
    """[tokenizer, engine, gate, then per thread count MB/s (cold MB/s), load s, peak MB]."""
    rows = []
    for row in results["subjects"]:
        cells = [row["tokenizer"], row["engine"], _gate(row)]
        peak = None
        for n in results["threads"]:
            r = row["speed"].get(str(n), {})
            if "error" in r:
                cells.append("error: " + r["error"][:60])
                continue
            ranked = row.get("gate") is None or row["gate"].get("status") == "equal"
            mbps = _fmt(r.get("mb_per_s")) if ranked else "(not ranked)"
            cells.append(f"{mbps} ({_fmt(r.get('cold_mb_per_s'))})" if r else "–")
            peak = max(peak or 0, r.get("peak_rss_bytes", 0))
        first = row["speed"].get(str(results["threads"][0]), {})
        cells += [_fmt(first.get("load_s"), 3), _fmt(peak / 2**20 if peak else None, 0)]
        rows.append(cells)
    return rows


def _table(header: List[str], rows: List[List[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def markdown(results: Dict) -> str:
    m, c = results["machine"], results["corpus"]
    out = [f"# Tokenizer benchmark\n",
           f"{c['documents']} documents, {c['bytes'] / 1e6:.1f} MB ({', '.join(c['kinds'])}); "
           f"{m['cpu']}, {m['cores']} cores; Python {m['python']}; {m['date']}. Versions: "
           + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ".\n",
           "## Speed and correctness\n",
           f"MB/s of UTF-8 input, best of {results['repeats']} passes after the first "
           "(the first, cold, in brackets), each engine in a fresh process pinned to the cores "
           "given; load time on one core; peak resident memory of the process. A tokenizer "
           "whose ids differ from its format's reference implementation is not ranked.\n"]
    header = ["tokenizer", "engine", "ids"] + [f"{n} core{'s' * (n > 1)} MB/s"
                                              for n in results["threads"]] + ["load s", "peak MB"]
    out.append(_table(header, speed_rows(results)) + "\n")
    for row in results["subjects"]:
        g = row.get("gate") or {}
        if g.get("first_difference"):
            d = g["first_difference"]
            out.append(f"- {row['name']}: document {g['first_document']} "
                       f"({g['document_text'][:80]!r}) differs at token {d['token']}: "
                       f"{d['ours']} against {d['reference']}\n")
    xs = [r for r in results["subjects"] if "compression" in r]
    if xs:
        out.append("## Compression\n")
        out.append(_table(["tokenizer", "bytes/token", "tokens/word", "vocabulary used"], [
            [r["tokenizer"], _fmt(r["compression"]["bytes_per_token"], 2),
             _fmt(r["compression"]["tokens_per_word"], 2),
             f"{r['compression']['vocabulary_used']} of {r['compression']['vocab_size']}"]
            for r in xs]) + "\n")
        scripts = sorted({s for r in xs for s in r["compression"]["fertility_by_script"]})
        out.append("Tokens per word by script (words in brackets):\n")
        out.append(_table(["tokenizer"] + scripts, [
            [r["tokenizer"]] + [
                f"{_fmt(r['compression']['fertility_by_script'][s]['tokens_per_word'], 2)} "
                f"({r['compression']['fertility_by_script'][s]['words']})"
                if s in r["compression"]["fertility_by_script"] else "–" for s in scripts]
            for r in xs]) + "\n")
        out.append("## Numbers\n")
        out.append("Tokens per number by digit count (integers / decimals), after a space:\n")
        digits = [row["digits"] for row in xs[0]["numbers"]["tokens_per_number"]]
        out.append(_table(["tokenizer"] + [str(d) for d in digits], [
            [r["tokenizer"]] + [f"{_fmt(t['integer'], 2)} / {_fmt(t['decimal'], 2)}"
                                for t in r["numbers"]["tokens_per_number"]] for r in xs]) + "\n")
        out.append("Cuts of the integers 0..N-1 after a space: distinct cuts, the most common, "
                   "and how many numbers are cut differently after a letter, a minus sign, a "
                   "digit:\n")
        rows = []
        for r in xs:
            s = r["numbers"]["segmentations"]
            rows.append([r["tokenizer"], s["range"], s["distinct"],
                         ", ".join(f"{p} ({n})" for p, n in s["most_common"][:4]),
                         s["differ_by_context"]["letter"], s["differ_by_context"]["sign"],
                         s["differ_by_context"]["digit"], s["differ_in_any_context"]])
        out.append(_table(["tokenizer", "N", "distinct", "most common", "letter", "sign",
                           "digit", "any"], rows) + "\n")
        out.append("Digits per token, over the corpus's tokens that hold digits:\n")
        width = max(max(map(int, r["numbers"]["digits_per_token"]), default=1) for r in xs)
        out.append(_table(["tokenizer"] + [str(k) for k in range(1, width + 1)], [
            [r["tokenizer"]] + [str(r["numbers"]["digits_per_token"].get(k, r["numbers"]
                                ["digits_per_token"].get(str(k), 0))) for k in range(1, width + 1)]
            for r in xs]) + "\n")
        xv = [r for r in xs if "xval" in r["numbers"]]
        if xv:
            out.append("xVal: tokens saved against the same tokenizer without [NUM], and the "
                       "corpus's numbers float32 holds exactly:\n")
            out.append(_table(["tokenizer", "tokens", "without [NUM]", "saved", "numbers",
                               "as [NUM]", "exact in float32"], [
                [r["tokenizer"], x["tokens"], x["base_tokens"],
                 f"{x['tokens_saved']} ({x['tokens_saved'] / x['base_tokens']:.1%})",
                 x["numbers"], x["as_num"],
                 f"{x['exact_in_float32']} ({_fmt(100 * (x['exact_share'] or 0), 1)} %)"]
                for r in xv for x in [r["numbers"]["xval"]]]) + "\n")
    return "\n".join(out)


def terminal(results: Dict) -> str:
    header = ["tokenizer", "engine", "ids"] + [f"{n}c MB/s (cold)" for n in results["threads"]] \
        + ["load s", "peak MB"]
    rows = [header] + speed_rows(results)
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in rows)


def write(results: Dict, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(markdown(results))

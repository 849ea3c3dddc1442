"""The report of a benchmark run: results.json (everything), report.md (tables, with the
pictures in images/), report.html (the same, self-contained: the pictures inline) and the
terminal table."""
import html as _html
import json
import os
import re
from typing import Dict, List

from . import plots


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
                cells.append("error: " + r["error"][:40] + "…")
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
        kinds = sorted({k for r in xs for k in r["compression"]["by_kind"]})
        if len(kinds) > 1:
            out.append("Bytes per token by document kind (the corpus file):\n")
            out.append(_table(["tokenizer"] + kinds, [
                [r["tokenizer"]] + [_fmt(r["compression"]["by_kind"].get(k, {}).get(
                    "bytes_per_token"), 2) for k in kinds] for r in xs]) + "\n")
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


def _pictures(results: Dict) -> List[tuple]:
    """(file name, title, SVG text) of each picture that could be drawn."""
    out = []
    for name, title, svg in (("speed", "Speed", plots.speed(results)),
                             ("tokens_per_number", "Tokens per number",
                              plots.tokens_per_number(results)),
                             ("fertility", "Fertility by script", plots.fertility(results))):
        if svg:
            out.append((f"{name}.svg", title, svg))
    for k, svg in enumerate(plots.heatmaps(results)):
        out.append((f"cuts_{k}.svg", "How 0..999 are cut", svg))
    return out


def _inline(text: str) -> str:
    text = _html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"!\[([^\]]*)\]\(([^)]+)\)", r'<img alt="\1" src="\2">', text)


def markdown_to_html(md: str, title: str, pictures: List[tuple]) -> str:
    """The report's Markdown (headings, paragraphs, tables, lists) as one HTML page, the
    pictures inline where report.md links them."""
    inline_svg = {f"images/{name}": svg for name, _, svg in pictures}
    body, table = [], []

    def flush_table():
        if table:
            head, rows = table[0], table[2:]
            body.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) +
                        "</tr>" + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r)
                                          + "</tr>" for r in rows) + "</table>")
            table.clear()
    for line in md.split("\n"):
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        flush_table()
        picture = re.fullmatch(r"!\[([^\]]*)\]\(([^)]+)\)", line.strip())
        if picture and picture.group(2) in inline_svg:
            body.append(f'<figure>{inline_svg[picture.group(2)]}</figure>')
        elif line.startswith("## "):
            body.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.startswith("- "):
            body.append(f"<ul><li>{_inline(line[2:])}</li></ul>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush_table()
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;font-size:13px;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
             "td:first-child,th:first-child{text-align:left}th{background:#eee}"
             "figure{margin:1em 0}figure svg{max-width:100%;height:auto}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{_html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def write(results: Dict, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    pictures = _pictures(results)
    md = markdown(results)
    if pictures:
        os.makedirs(os.path.join(out_dir, "images"), exist_ok=True)
        md += "\n## Pictures\n\n"
        for name, title, svg in pictures:
            with open(os.path.join(out_dir, "images", name), "w") as f:
                f.write(svg)
            md += f"![{title}](images/{name})\n\n"
    else:
        md += "\n(No pictures: matplotlib is not installed.)\n"
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out_dir, "report.html"), "w") as f:
        f.write(markdown_to_html(md, "Tokenizer benchmark", pictures))

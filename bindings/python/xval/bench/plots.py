"""The report's pictures, drawn with matplotlib (SVG text): speed beside the peers, tokens per
number by digit count, how 0..999 are cut, fertility by script. Each returns None when
matplotlib is not installed, and the report says so instead of a picture."""
import io
from typing import Dict, List, Optional


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        matplotlib.rcParams["svg.hashsalt"] = "xval"  # the same ids in every run
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        return None


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    fig.clf()
    import matplotlib.pyplot as plt
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # without the XML prologue, to sit inside HTML


def speed(results: Dict) -> Optional[str]:
    plt = _pyplot()
    if plt is None:
        return None
    rows = [r for r in results["subjects"]
            if r["speed"] and (r.get("gate") is None or r["gate"].get("status") == "equal")]
    threads = results["threads"]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) * len(threads) + 1.2))
    height = 0.8 / len(threads)
    for k, n in enumerate(threads):
        values = [r["speed"].get(str(n), {}).get("mb_per_s", 0) for r in rows]
        ax.barh([i + k * height for i in range(len(rows))], values, height,
                label=f"{n} core{'s' * (n > 1)}")
    ax.set_yticks([i + height * (len(threads) - 1) / 2 for i in range(len(rows))])
    ax.set_yticklabels([r["name"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("MB/s (warm)")
    ax.legend()
    ax.set_title("Encoding speed, ids checked against the reference")
    return _svg(fig)


def tokens_per_number(results: Dict) -> Optional[str]:
    plt = _pyplot()
    xs = [r for r in results["subjects"] if "numbers" in r]
    if plt is None or not xs:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, kind in zip(axes, ("integer", "decimal")):
        for r in xs:
            rows = [t for t in r["numbers"]["tokens_per_number"] if t[kind] is not None]
            ax.plot([t["digits"] for t in rows], [t[kind] for t in rows], marker=".",
                    label=r["tokenizer"])
        ax.set_xlabel(f"digits ({kind}s)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("tokens per number")
    axes[1].legend(fontsize=7)
    fig.suptitle("Tokens per number by digit count")
    return _svg(fig)


def heatmaps(results: Dict) -> List[str]:
    """One picture per tokenizer: 0..999 as a 10 x 100 grid (row: hundreds), each cell
    coloured by how the number is cut."""
    plt = _pyplot()
    xs = [r for r in results["subjects"] if "numbers" in r]
    if plt is None:
        return []
    import numpy as np
    out = []
    for r in xs:
        cuts = r["numbers"]["segmentations"]["heatmap"]
        names = sorted(set(cuts), key=lambda p: (p.count("+"), p))
        grid = np.array([names.index(c) for c in cuts] + [-1] * (1000 - len(cuts)),
                        dtype=float).reshape(10, 100)
        grid[grid < 0] = np.nan
        fig, ax = plt.subplots(figsize=(10, 1.9))
        cmap = plt.get_cmap("tab20", max(len(names), 2))
        image = ax.imshow(grid, aspect="auto", cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5,
                          interpolation="nearest")
        ax.set_yticks(range(10))
        ax.set_yticklabels([f"{h}00" for h in range(10)], fontsize=6)
        ax.set_xlabel("last two digits", fontsize=7)
        ax.set_title(f"{r['tokenizer']}: how 0..999 are cut (after a space)", fontsize=9)
        bar = fig.colorbar(image, ax=ax, ticks=range(len(names)), pad=0.01)
        bar.ax.set_yticklabels(names, fontsize=6)
        out.append(_svg(fig))
    return out


def fertility(results: Dict) -> Optional[str]:
    plt = _pyplot()
    xs = [r for r in results["subjects"] if "compression" in r]
    if plt is None or not xs:
        return None
    scripts = sorted({s for r in xs for s in r["compression"]["fertility_by_script"]})
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(xs)
    for k, r in enumerate(xs):
        f = r["compression"]["fertility_by_script"]
        ax.bar([i + k * width for i in range(len(scripts))],
               [f[s]["tokens_per_word"] if s in f else 0 for s in scripts], width,
               label=r["tokenizer"])
    ax.set_xticks([i + width * (len(xs) - 1) / 2 for i in range(len(scripts))])
    ax.set_xticklabels(scripts, fontsize=8)
    ax.set_ylabel("tokens per word")
    ax.legend(fontsize=7)
    ax.set_title("Fertility by script")
    return _svg(fig)

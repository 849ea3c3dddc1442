"""The correctness gate: a subject's ids, document by document, against those of its format's
reference implementation (hashes of each document's ids from the speed runs); where they
differ, the first differing document and token are shown. A subject that differs is reported,
never ranked."""
from typing import Dict, List, Optional


def compare(hashes: List[str], reference: List[str]) -> Dict:
    """{"status": "equal" | "differs", "documents_differ", "first_document"}."""
    if len(hashes) != len(reference):
        return {"status": "differs", "documents_differ": None, "first_document": 0,
                "reason": f"{len(hashes)} documents against {len(reference)}"}
    differ = [i for i, (a, b) in enumerate(zip(hashes, reference)) if a != b]
    return {"status": "differs" if differ else "equal", "documents_differ": len(differ),
            "first_document": differ[0] if differ else None}


def first_difference(ours: List[int], theirs: List[int]) -> Dict:
    """Where two id lists part: the token index and a few ids from there on each side."""
    n = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
             min(len(ours), len(theirs)))
    return {"token": n, "ours": ours[n:n + 8], "reference": theirs[n:n + 8]}


def gate_status(result: Optional[Dict]) -> str:
    return "no reference" if result is None else result["status"]

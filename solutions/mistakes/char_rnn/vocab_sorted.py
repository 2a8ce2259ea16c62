"""Indices taken from the sorted vocabulary instead of the given order."""
MISTAKE = "Vocabulary order changed: indices come from sorted(vocab) instead of the order given"
RELATED = "relabelled"  # correct names for this mistake besides its own (leave-one-out measure)
HINT = (
    "A character's index is its position in vocab as passed in; do not reorder the vocabulary"
    " (Part 1)."
)


def encode(text, vocab):
    order = sorted(vocab)
    return [order.index(ch) for ch in text]

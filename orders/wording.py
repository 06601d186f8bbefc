"""Just enough Russian declension for the headings of orders.

A heading reads «Об утверждении плана работы Муниципального учебно-методического
объединения …»: the unit's name goes into the genitive, a program's name into the
genitive or the accusative («Утвердить Программу …»). Names of units follow one pattern:
adjectives, a head noun (or an abbreviation), then words already in the genitive
(«… учителей математики Терского района»). We decline the adjectives and the head noun
and leave the rest as it is. A name we do not recognise comes back unchanged: the draft's
heading is editable, and a wrong ending is worse than a nominative.
"""

import re

ADJECTIVE_ENDINGS = ("ое", "ее", "ый", "ий", "ой", "ая", "яя")
HUSHING = "жшчщ"
VELAR = "гкх"
_CORE = re.compile(r"^([(«\"]*)(.*?)([)»\",.;:]*)$")


def _is_abbreviation(word: str) -> bool:
    return sum(1 for ch in word if ch.isupper()) >= 2 or not word.isalpha()


def _is_adjective(word: str) -> bool:
    return word.isalpha() and not _is_abbreviation(word) and word.lower().endswith(ADJECTIVE_ENDINGS)


def _adjective(word: str, case: str) -> str:
    stem, end = word[:-2], word[-2:].lower()
    before = stem[-1:].lower()
    if end in ("ая", "яя"):
        if case == "acc":
            return stem + ("ую" if end == "ая" else "юю")
        return stem + ("ей" if end == "яя" or before in HUSHING else "ой")
    if case == "acc":  # masculine and neuter of inanimate nouns: as the nominative
        return word
    if end == "ее" or (end == "ий" and before not in VELAR):
        return stem + "его"
    return stem + "ого"


def _noun(word: str, case: str) -> str | None:
    """The head noun in `case`; None when we cannot tell."""
    lower = word.lower()
    if case == "acc":
        if lower.endswith("а"):
            return word[:-1] + "у"
        if lower.endswith("я"):
            return word[:-1] + "ю"
        return word
    if lower.endswith(("ие", "ье")):
        return word[:-1] + "я"
    if lower.endswith("ия"):
        return word[:-1] + "и"
    if lower.endswith("о"):
        return word[:-1] + "а"
    if lower.endswith("а"):
        return word[:-1] + ("и" if word[-2:-1].lower() in VELAR + HUSHING else "ы")
    if lower.endswith("я"):
        return word[:-1] + "и"
    if lower.endswith("й"):
        return word[:-1] + "я"
    if lower[-1:] in "бвгджзклмнпрстфхцчшщ":
        return word + "а"
    return None


def _decline_word(token: str, case: str, *, noun: bool) -> str | None:
    match = _CORE.match(token)
    head, core, tail = match.groups()
    if not core:
        return None
    parts = core.split("-")
    last = parts[-1]
    if noun:
        declined = _noun(last, case)
    elif _is_adjective(last):
        declined = _adjective(last, case)
    else:
        return None
    if declined is None:
        return None
    # «учебно-методическое»: only the last part of a compound adjective changes.
    return head + "-".join([*parts[:-1], declined]) + tail


def decline(name: str, case: str = "gen") -> str:
    """`name` in the genitive ("gen") or the accusative ("acc"), as far as we can tell."""
    words = name.split()
    out = []
    for i, word in enumerate(words):
        core = _CORE.match(word).group(2)
        if core and _is_adjective(core.split("-")[-1]):
            out.append(_decline_word(word, case, noun=False))
            continue
        if not core or _is_abbreviation(core) or not core[:1].isalpha() or word.startswith(("«", '"')):
            return " ".join(out + words[i:])
        declined = _decline_word(word, case, noun=True)
        if declined is None:
            return name
        return " ".join([*out, declined, *words[i + 1 :]])
    return name  # only adjectives: not a name we understand


def genitive(name: str) -> str:
    return decline(name, "gen")


def accusative(name: str) -> str:
    return decline(name, "acc")

"""Unit and program names in the cases official texts need, by pymorphy3's Russian dictionary.

Names are kept in the nominative («Муниципальное учебно-методическое объединение учителей
математики Терского района»). A protocol is «заседания Муниципального учебно-методического
объединения …», an order approves «план работы Районного методического объединения …». A name has
one shape: adjectives (and participles), a head noun or an abbreviation, then a tail that is
already in its own case («учителей математики Терского района», «МКОУ СОШ № 1», «“…”»). We inflect
the adjectives and the head noun, and a one-word apposition in brackets right after it
(«объединение (ассоциация)»), and leave the tail, abbreviations and quoted names exactly as typed.

What the dictionary cannot confirm is left as it is: a name that does not start with a noun or an
adjective in the nominative comes back unchanged (a nominative is better than a wrong ending). For
such a name a unit may carry its own form: `unit_genitive` takes an attribute `name_genitive` when
the model has one and it is filled.
"""

import re
from functools import lru_cache

ADJECTIVE_POS = ("ADJF", "PRTF")
CASES = {"gen": "gent", "gent": "gent", "acc": "accs", "accs": "accs", "dat": "datv", "datv": "datv"}
_WORD = re.compile(r"^([(]?)([А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*)([)]?)([,.;:]?)$")


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=4096)
def _parses(word: str) -> tuple:
    return tuple(_morph().parse(word.lower()))


def _is_abbreviation(word: str) -> bool:
    """МО, РМО, МунУМО, ЦНППМ, КРИПКиПРО, СОШ: two capitals or more, or digits."""
    return sum(ch.isupper() for ch in word) >= 2 or any(ch.isdigit() for ch in word)


def _split(token: str):
    """(opening bracket, word, closing bracket, punctuation) of a plain Cyrillic word, else None."""
    match = _WORD.match(token)
    if match is None or _is_abbreviation(match.group(2)):
        return None
    return match.groups()


def _nominative(word: str, pos: tuple[str, ...]):
    """Parses of the word's last part (of «учебно-методическое») as `pos` in the nominative."""
    last = word.rsplit("-", 1)[-1]
    return [p for p in _parses(last) if p.tag.POS in pos and "nomn" in p.tag]


def _same_shape(original: str, inflected: str) -> str:
    if "ё" not in original.lower():
        inflected = inflected.replace("ё", "е")
    if len(original) > 1 and original.isupper():
        return inflected.upper()
    if original[:1].isupper():
        return inflected[:1].upper() + inflected[1:]
    return inflected


def _inflect_word(word: str, parse, grammemes: set[str]) -> str | None:
    form = parse.inflect(grammemes)
    if form is None:
        return None
    head, _, last = word.rpartition("-")
    # Only the last part of a compound adjective changes: «учебно-методического».
    return (head + "-" if head else "") + _same_shape(last, form.word)


def _agrees(parse, noun) -> bool:
    if noun is None:
        return True
    if "plur" in noun.tag:
        return "plur" in parse.tag
    return "sing" in parse.tag and parse.tag.gender == noun.tag.gender


def _target(case: str, noun, adjective) -> set[str]:
    grammemes = {case}
    if case == "accs" and ("plur" in adjective.tag or adjective.tag.gender == "masc"):
        # A masculine or plural adjective in the accusative follows the animacy of its noun.
        grammemes.add("anim" if noun is not None and "anim" in noun.tag else "inan")
    return grammemes


def _looks_like_head(token: str | None) -> bool:
    """Whether the next token can stand after an adjective: a noun, an adjective, an abbreviation."""
    if token is None:
        return False
    parts = _split(token)
    if parts is None:
        return _is_abbreviation(token.strip('()«»",.;:'))
    return bool(_nominative(parts[1], ("NOUN", *ADJECTIVE_POS)))


def inflect(phrase: str, case: str = "gen") -> str:
    """`phrase` (a name in the nominative) in `case`: "gen", "acc" or "dat"."""
    case = CASES[case]
    tokens = phrase.split()
    adjectives: list[tuple[int, tuple, list]] = []  # (index, parts, nominative parses)
    noun_at, noun = None, None
    for i, token in enumerate(tokens):
        parts = _split(token)
        if parts is None:
            break  # an abbreviation, a quoted name, a number: the adjectives go with it
        nouns = _nominative(parts[1], ("NOUN",))
        adjs = _nominative(parts[1], ADJECTIVE_POS)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if adjs and (not nouns or _looks_like_head(nxt)):
            adjectives.append((i, parts, adjs))
            continue
        if nouns and not parts[0]:
            noun_at, noun = i, nouns[0]
        break
    if noun is None and (not adjectives or adjectives[-1][0] + 1 >= len(tokens)):
        return phrase  # neither a noun nor an abbreviation after the adjectives: not a name we know
    out = list(tokens)
    if noun is not None:
        parts = _split(tokens[noun_at])
        word = _inflect_word(parts[1], noun, {case})
        if word is None:
            return phrase
        out[noun_at] = "".join((parts[0], word, parts[2], parts[3]))
        # «объединение (ассоциация) учителей»: a bracketed noun right after the head goes with it.
        if noun_at + 1 < len(tokens):
            after = _split(tokens[noun_at + 1])
            if after and after[0] and after[2] and (same := _nominative(after[1], ("NOUN",))):
                inflected = _inflect_word(after[1], same[0], {case})
                if inflected:
                    out[noun_at + 1] = "".join((after[0], inflected, after[2], after[3]))
    for i, parts, parses in adjectives:
        parse = next((p for p in parses if _agrees(p, noun)), parses[0])
        word = _inflect_word(parts[1], parse, _target(case, noun, parse))
        if word is None:
            return phrase
        out[i] = "".join((parts[0], word, parts[2], parts[3]))
    return " ".join(out)


def genitive(phrase: str) -> str:
    return inflect(phrase, "gen")


def accusative(phrase: str) -> str:
    return inflect(phrase, "acc")


def unit_genitive(unit, short: bool = False) -> str:
    """The unit's name (or short name) in the genitive; its own `name_genitive` wins when it has one."""
    own = "" if short else (getattr(unit, "name_genitive", "") or "").strip()
    if own:
        return own
    return genitive((unit.short_name or unit.name) if short else unit.name)

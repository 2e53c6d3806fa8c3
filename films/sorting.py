"""How people and groups are alphabetised on the index pages: by a stored sort key.

A person sorts by surname (the last word of their name, “Reznor, Trent”), a group by its whole
name (“Nine Inch Nails” under N), unless an editor gives a sort name. The key is that sort name
in lower case with accents folded (“Jóhannsson” with “Johansen”), so that the database orders
by an indexed column and every database orders alike.
"""

import unicodedata

#: Words after a surname that stay with it: “Sammy Davis Jr.” sorts as “Davis Jr., Sammy”.
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
SORT_KEY_LENGTH = 255
#: Letters that decompose to no base letter, filed as their nearest plain ones (Rønning with
#: Ronning).
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)


def derived_sort_name(name, is_group):
    """``name`` as an index lists it when no sort name is given: surname first for a person,
    as written for a group or a single name."""
    words = name.split()
    if is_group or len(words) < 2:
        return " ".join(words)
    kept = 2 if len(words) > 2 and words[-1].strip(",.").casefold() in SUFFIXES else 1
    given = " ".join(words[:-kept]).rstrip(",")
    return f"{' '.join(words[-kept:])}, {given}"


def sort_key(name, sort_name, is_group):
    """What the index pages order by: the sort name, else the derived one, folded."""
    text = " ".join(sort_name.split()) or derived_sort_name(name, is_group)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().translate(_LETTERS)[:SORT_KEY_LENGTH]

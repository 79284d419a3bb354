"""Home languages as staff type them ("Turks", "tr", "Turkish") brought to one code, so a
message's translation finds the parents who speak it (toolkit §2.6: write in the parent's
language where the school can)."""

from __future__ import annotations

NAMES = {
    "nl": ("nederlands", "dutch"),
    "en": ("engels", "english"),
    "tr": ("turks", "turkish", "türkçe"),
    "ar": ("arabisch", "arabic", "marokkaans", "marokkaans-arabisch"),
    "ber": ("berbers", "tamazight", "tarifit"),
    "pl": ("pools", "polish", "polski"),
    "uk": ("oekraïens", "oekraiens", "ukrainian"),
    "ru": ("russisch", "russian"),
    "so": ("somalisch", "somali"),
    "ti": ("tigrinya", "tigrinja"),
    "fa": ("farsi", "perzisch", "persian", "dari"),
    "es": ("spaans", "spanish", "español"),
    "pt": ("portugees", "portuguese", "português"),
    "fr": ("frans", "french", "français"),
    "de": ("duits", "german", "deutsch"),
    "bg": ("bulgaars", "bulgarian"),
    "ro": ("roemeens", "romanian"),
    "pap": ("papiaments", "papiamento"),
    "srn": ("sranantongo", "sranan"),
    "zh": ("chinees", "chinese", "mandarijn"),
}
CODES = {name: code for code, names in NAMES.items() for name in names}


def language_code(text: str | None) -> str:
    """The code of a language as typed (`Turks` -> `tr`); an unknown one as typed, in lower case;
    none: Dutch."""
    typed = (text or "").strip().lower()
    if not typed:
        return "nl"
    return CODES.get(typed, typed)

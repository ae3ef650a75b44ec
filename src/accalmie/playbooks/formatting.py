"""Dates, numbers and amounts written the French or the English way, with the stdlib only.

No `locale` module: its result depends on the machine's installed locales and is global
state. The few words needed (month and weekday names) are spelled out here.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF", "CAD": "$ CA"}
NBSP = "\u00a0"  # no-break space: between a number and its unit
NNBSP = "\u202f"  # narrow no-break space: French thousands separator


def language(lang: str) -> str:
    """Return "fr" or "en": every language other than French is written in English."""
    return "fr" if (lang or "").lower().startswith("fr") else "en"


def format_date(value: date, lang: str, *, weekday: bool = False) -> str:
    """`23 novembre 2026` / `23 November 2026`; French writes the first day `1er`."""
    lang = language(lang)
    day = "1er" if lang == "fr" and value.day == 1 else str(value.day)
    text = f"{day} {MONTHS[lang][value.month - 1]} {value.year}"
    if weekday:
        text = f"{WEEKDAYS[lang][value.weekday()]} {text}"
    return text


def format_number(value: int | float | Decimal, lang: str, *, decimals: int = 0) -> str:
    """`12 345,50` in French (narrow no-break spaces), `12,345.50` in English."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"  # English grouping: 12,345.50
    if language(lang) == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def format_money(amount: int | float | Decimal, currency: str, lang: str) -> str:
    """`8 400,00 €` in French, `€8,400.00` in English; unknown currencies keep their code."""
    code = (currency or "EUR").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code)
    number = format_number(amount, lang, decimals=2)
    if language(lang) == "fr":
        return f"{number}{NBSP}{symbol}"
    if len(symbol) == 1:
        return f"{symbol}{number}"
    return f"{symbol}{NBSP}{number}"


def format_hour(hour: int, lang: str) -> str:
    """`9 h` / `9am`, `18 h` / `6pm`."""
    if language(lang) == "fr":
        return f"{hour}{NBSP}h"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve}{suffix}"


def plural(count: int, one: str, other: str, lang: str) -> str:
    """Pick the singular or plural form: French treats 0 and 1 as singular, English only 1."""
    singular = count in (0, 1) if language(lang) == "fr" else count == 1
    return one if singular else other

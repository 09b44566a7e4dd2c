"""Text normalisation before phonemes: the words a reader would say for what is written.

``normalize(text)`` rewrites numbers, money, times, dates, units, symbols, abbreviations,
web addresses and dotted initialisms as words, so that a grapheme-to-phoneme front end (espeak
or misaki) only ever sees words. Number words come from num2words; the rules here only decide
*which* reading the context asks for:

======================  =================================  ====================================
class                   written                            spoken
======================  =================================  ====================================
currency                $3.50 · $0.99 · $4.2 million       three dollars and fifty cents ·
                        £5 · €1,200                        ninety-nine cents · four point two
                                                           million dollars · five pounds · …
phone numbers           555-0134 · (212) 555-0198          five five five, zero one three four
years vs cardinals      in 1969 · 2005 · 1,969 people      nineteen sixty-nine · two thousand
                                                           five · one thousand nine hundred …
decades                 the 1960s · the '90s               the nineteen sixties · the nineties
times                   7:45 a.m. · 18:30 · 7pm            seven forty-five AM · eighteen
                                                           thirty · seven PM
dates                   March 3rd, 2024 · 3/15 · 2024-03-15  March third, twenty twenty-four …
ordinals                21st · 2nd–3rd                     twenty-first · second to third
decimals, percentages   3.14 · 45% · 0.5                   three point one four · forty-five
                                                           percent · zero point five
ranges                  10–12 · 1990-1995 · 10-12%         ten to twelve · … · ten to twelve
                                                           percent
fractions               3/4 · 1 1/2 · ½                    three quarters · one and a half
large numbers           1,000,000 · 1,250                  one million · one thousand two
                                                           hundred fifty
units and symbols       5 km · 20 °C · 60 mph · & + # @    five kilometers · twenty degrees
                                                           Celsius · sixty miles per hour ·
                                                           and, plus, number, at
abbreviations           Dr. Smith lives on Smith Dr.       Doctor Smith lives on Smith Drive.
                        St. Louis · Baker St. · Mr. · etc. Saint Louis · Baker Street · …
web addresses           support@example.com · www.x.org    support at example dot com · …
initialisms             U.S. · a.m. · FBI                  US · AM · FBI (left in capitals:
                                                           both G2Ps spell them)
magnitudes, versions    1.5M · 100k · v2.1                 one point five million · one hundred
                                                           thousand · version two point one
durations, heights      2:31:04 · 5'11"                    two hours thirty-one minutes and four
                                                           seconds · five foot eleven
spans, dimensions       Mon.–Fri. · 3-5 p.m. · 55 x 40 cm  Monday to Friday · three to five PM ·
                                                           fifty-five by forty centimeters
codes                   978-0-14-044913-6 · No. 48213      nine seven eight, zero, … · number
                                                           four eight two one three
Roman numerals          Henry VIII · Chapter IV            Henry the eighth · Chapter four
letters and a slash     A/B · I/O                          A B · I O
dotted numbers          3.11.2 · 192.168.1.1 · 04.07.1986  three point eleven point two · … dot
                                                           … · the fourth of July, …
readings, ratings       120/80 · 4.5/5                     one hundred twenty over eighty · four
                                                           point five out of five
numbers dialled         call 911                           call nine one one
codes, toll-free words  INV-2024-0042 · 1-800-FLOWERS      INV two zero two four zero zero four
                                                           two · one eight hundred flowers
chat shorthand          btw · idk · tbh                    by the way · I don't know · to be honest
======================  =================================  ====================================

Spans written as ``[word](/phonemes/)`` (how :func:`engines.tts.text.apply_lexicon` marks a
pronunciation given as phonemes) are left untouched. American number style: no "and" inside
numbers ("one hundred one").
"""
from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words

PHONEME_SPAN = re.compile(r"\[[^\]\n]+\]\(/[^)\n]*/\)")

# -- number words ------------------------------------------------------------------------------


# Beyond this a number has no name anyone would say (num2words overflows a little further on):
# it is read digit by digit.
LARGEST_NAMED = 10 ** 21
# A run of more digits than this, without thousands commas, is an identifier (a card or account
# number, a long code), not a quantity: read digit by digit. Phone numbers (E.164) have at most 15.
LONGEST_QUANTITY_DIGITS = 15
# A digit run this long is read digit by digit before anything else looks at it.
_VERY_LONG_DIGITS = re.compile(r"(?P<dot>(?<=\d)\.)?(?P<run>\d{100,})")


@lru_cache(maxsize=4096)
def cardinal(n: int) -> str:
    """``1250000`` → "one million two hundred fifty thousand" (American: no "and", no commas).
    A number too large to have a name (:data:`LARGEST_NAMED`) is read digit by digit."""
    if abs(n) >= LARGEST_NAMED:
        return ("minus " if n < 0 else "") + digits(str(abs(n)))
    words = num2words(int(n)).replace(",", "")
    return re.sub(r"\band\s+", "", words) if abs(n) >= 100 else words


@lru_cache(maxsize=1024)
def ordinal(n: int) -> str:
    """``22`` → "twenty-second"."""
    if abs(n) >= LARGEST_NAMED:
        return cardinal(n)
    return re.sub(r"\band\s+", "", num2words(int(n), to="ordinal").replace(",", ""))


def digits(s: str) -> str:
    """"0134" → "zero one three four"."""
    return " ".join(cardinal(int(d)) for d in s if d.isdigit())


def decimal(s: str) -> str:
    """"3.14" → "three point one four"; "1,250.5" → "one thousand two hundred fifty point five";
    ".5" → "point five"."""
    s = s.replace(",", "")
    whole, _, frac = s.partition(".")
    head = cardinal(int(whole)) if whole else ""
    if not frac:
        return head
    return f"{head} point {digits(frac)}".strip()


def number(s: str) -> str:
    """Any plain number as written: integer with or without thousands commas, or decimal.
    A number with leading zeros ("007") is read digit by digit, and so is a run of more than
    :data:`LONGEST_QUANTITY_DIGITS` digits without thousands commas (an identifier)."""
    s = s.strip()
    negative = s[:1] in "-−"
    s = s.lstrip("-−")
    if re.fullmatch(r"0\d+", s) or re.fullmatch(r"\d{%d,}" % (LONGEST_QUANTITY_DIGITS + 1), s):
        words = digits(s)
    elif "." in s:
        words = decimal(s)
    else:
        words = cardinal(int(s.replace(",", "")))
    return f"minus {words}" if negative else words


def year(n: int) -> str:
    """``1969`` → "nineteen sixty-nine", ``2005`` → "two thousand five", ``1905`` → "nineteen oh
    five", ``1900`` → "nineteen hundred", ``2024`` → "twenty twenty-four"."""
    if not 1010 <= n <= 2099 or 2000 <= n <= 2009:
        return cardinal(n)  # 2000–2009 as plain numbers: "two thousand five"
    return _halves(*divmod(n, 100))


def _halves(high: int, low: int) -> str:
    """A number said in two halves, as years, rooms and 24-hour times are: (19, 0) → "nineteen
    hundred", (19, 5) → "nineteen oh five", (19, 69) → "nineteen sixty-nine"."""
    if low == 0:
        return f"{cardinal(high)} hundred"
    return f"{cardinal(high)} oh {cardinal(low)}" if low < 10 else f"{cardinal(high)} {cardinal(low)}"


def two_digit_year(yy: str) -> str:
    """"69" → "sixty-nine", "05" → "oh five" (a year written with two digits)."""
    return f"oh {cardinal(int(yy))}" if yy.startswith("0") else cardinal(int(yy))


def spell(chars: str) -> str:
    """Letters and digits one by one: "SW1A" → "S W one A"."""
    return " ".join(cardinal(int(c)) if c.isdigit() else c for c in chars)


def _plural_tens(words: str) -> str:
    """"sixty" → "sixties", "nineteen hundred" → "nineteen hundreds"."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


# -- vocabulary ------------------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
               "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH_NAMES = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
             r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)")

# unit → (singular, plural); matched case-sensitively after a number.
UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "mi": ("mile", "miles"), "ft": ("foot", "feet"),
    "yd": ("yard", "yards"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"),
    "gal": ("gallon", "gallons"),
    "tsp": ("teaspoon", "teaspoons"), "tbsp": ("tablespoon", "tablespoons"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kg/m²": ("kilogram per square meter", "kilograms per square meter"),
    "kg/m2": ("kilogram per square meter", "kilograms per square meter"),
    "kph": ("kilometer per hour", "kilometers per hour"), "kmh": ("kilometer per hour", "kilometers per hour"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "ºC": ("degree Celsius", "degrees Celsius"), "ºF": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "KB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"), "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"),
    "kW": ("kilowatt", "kilowatts"), "kWh": ("kilowatt hour", "kilowatt hours"), "mAh": ("milliamp hour", "milliamp hours"),
    "hr": ("hour", "hours"), "hrs": ("hours", "hours"), "h": ("hour", "hours"),
    "min": ("minute", "minutes"), "mins": ("minutes", "minutes"), "sec": ("second", "seconds"),
    "secs": ("seconds", "seconds"), "ms": ("millisecond", "milliseconds"),
    "sq ft": ("square foot", "square feet"), "sq m": ("square meter", "square meters"),
    "W": ("watt", "watts"), "kV": ("kilovolt", "kilovolts"), "V": ("volt", "volts"), "mA": ("milliamp", "milliamps"),
    "L": ("liter", "liters"), "mcg": ("microgram", "micrograms"), "µg": ("microgram", "micrograms"),
    "kcal": ("kilocalorie", "kilocalories"), "mg/dL": ("milligram per deciliter", "milligrams per deciliter"),
    "mmol/L": ("millimole per liter", "millimoles per liter"), "mmHg": ("millimeter of mercury", "millimeters of mercury"),
    "bpm": ("beat per minute", "beats per minute"), "fps": ("frame per second", "frames per second"),
    "kbps": ("kilobit per second", "kilobits per second"), "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"), "fl oz": ("fluid ounce", "fluid ounces"),
    "m²": ("square meter", "square meters"), "km²": ("square kilometer", "square kilometers"),
    "ft²": ("square foot", "square feet"),
    "%": ("percent", "percent"), "x": ("times", "times"), "¢": ("cent", "cents"),
    "m/s²": ("meter per second squared", "meters per second squared"),
    "m/s2": ("meter per second squared", "meters per second squared"),
    "m/s": ("meter per second", "meters per second"), "km/s": ("kilometer per second", "kilometers per second"),
    "kJ/mol": ("kilojoule per mole", "kilojoules per mole"), "kJ": ("kilojoule", "kilojoules"),
    "kN": ("kilonewton", "kilonewtons"), "µm": ("micrometer", "micrometers"), "μm": ("micrometer", "micrometers"),
    "nm": ("nanometer", "nanometers"), "hp": ("horsepower", "horsepower"), "mpg": ("mile per gallon", "miles per gallon"),
    "psi": ("pound per square inch", "pounds per square inch"), "rpm": ("revolution per minute", "revolutions per minute"),
    "dB": ("decibel", "decibels"), "pts": ("point", "points"), "bps": ("basis point", "basis points"),
    "bd": ("bedroom", "bedrooms"), "br": ("bedroom", "bedrooms"), "bdrm": ("bedroom", "bedrooms"), "ba": ("bath", "baths"),
    "reb": ("rebound", "rebounds"), "ast": ("assist", "assists"),
    "ppm": ("part per million", "parts per million"), "ppb": ("part per billion", "parts per billion"),
    "MW": ("megawatt", "megawatts"), "GW": ("gigawatt", "gigawatts"), "MWh": ("megawatt hour", "megawatt hours"),
    "GWh": ("gigawatt hour", "gigawatt hours"), "TWh": ("terawatt hour", "terawatt hours"),
    "wk": ("week", "weeks"), "wks": ("weeks", "weeks"), "BR": ("bedroom", "bedrooms"), "BA": ("bath", "baths"),
    "sq. ft.": ("square foot", "square feet"), "sq. ft": ("square foot", "square feet"),
    "sq.ft.": ("square foot", "square feet"), "sqft": ("square foot", "square feet"),
    "sq. m": ("square meter", "square meters"),
}
# single capitals that are units only when no capitalised word follows ("65 W" but "100 W Main St")
_CAPITAL_UNITS = {"W", "V", "L"}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# a unit is followed by something that is not part of a word ("5 m" but not "5 men")
_UNIT_AFTER = r"(?![A-Za-z0-9])(?:(?<=[a-z])\.(?=[ \t]+[a-z]|[,;:)]))?"  # "12 min. or until golden": the period is the unit's

# currency symbol → (unit singular, plural, cent singular, plural)
CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "jeon", "jeon"),
    "₽": ("ruble", "rubles", "kopek", "kopeks"),
    "₺": ("lira", "lira", "kurus", "kurus"),
    "₪": ("shekel", "shekels", "agora", "agorot"),
    "₱": ("peso", "pesos", "centavo", "centavos"),
    "₦": ("naira", "naira", "kobo", "kobo"),
    # ISO 4217 codes, written before or after the amount ("USD 200", "40 EUR")
    "USD": ("US dollar", "US dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("British pound", "British pounds", "penny", "pence"),
    "JPY": ("yen", "yen", "sen", "sen"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "NZD": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "HKD": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "SGD": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "INR": ("Indian rupee", "Indian rupees", "paisa", "paise"),
    "CNY": ("yuan", "yuan", "fen", "fen"),
    "MXN": ("Mexican peso", "Mexican pesos", "centavo", "centavos"),
}
_CURRENCY_SIGNS = "".join(sign for sign in CURRENCIES if len(sign) == 1)
_CURRENCY_CODES = "|".join(code for code in CURRENCIES if len(code) == 3)
# symbols the normaliser reads aloud (the text check keeps them: engines.tts.text.clean_text)
READ_SYMBOLS = frozenset(_CURRENCY_SIGNS + "¢~±≈×÷≥≤№²³^µμ")
_MAGNITUDES = {"thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion",
               "k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million",
               "b": "billion", "B": "billion", "bn": "billion", "tn": "trillion"}

_FRACTIONS = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
              "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8)}

# Words after which a four-digit number is a year ("in 1969", "since 2010", "March 1969").
_YEAR_BEFORE = {"in", "since", "by", "from", "until", "till", "of", "circa", "year", "before", "after",
                "during", "early", "late", "mid", "spring", "summer", "autumn", "fall", "winter", "the",
                "between", "around", "c.", "ca.", "est.", "through", "and", "to", *_MONTH_NAMES, *_MONTH_ABBR}
# Plural words that are verbs, after which a four-digit number is still a year ("1969 was …").
_NOT_COUNTED = {"was", "has", "is", "does", "goes", "sees", "saw", "gets", "makes", "marks", "brings",
                "says", "looks", "seems", "remains", "begins", "ends", "proves", "plus", "minus", "times"}

# Words that make "a/b" a fraction rather than a month/day date.
_FRACTION_AFTER = {"of", "cup", "cups", "teaspoon", "teaspoons", "tablespoon", "tablespoons", "inch",
                   "inches", "mile", "miles", "pound", "pounds", "ounce", "ounces", "tsp", "tbsp", "oz",
                   "lb", "lbs", "in", "an", "a", "the", "full", "empty", "off", "more", "less", "share",
                   "shares", "liter", "liters", "litre", "litres", "gallon", "gallons", "percent"}
# Words that make "a/b" a date.
_DATE_BEFORE = {"on", "by", "until", "till", "from", "through", "before", "after", "since", "due", "dated",
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
                "deadline", "expires", "expiry", "starting", "ending", "date",
                "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}


def _number_of(s: str) -> float:
    return float(s.replace(",", ""))


def _with_unit(value: str, unit: str) -> str:
    return _counted(value, *UNITS[unit])


def _counted(value: str, singular: str, plural: str) -> str:
    """``value`` in words with the singular only for exactly one ("1.0 kilometers")."""
    word = singular if re.fullmatch(r"-?1", value.replace(",", "")) else plural
    return f"{number(value)} {word}"


# -- the passes ---------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"

# web addresses and e-mail
_EMAIL = re.compile(r"(?<![\w.+%-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?![\w@])")
_TLDS = r"com|org|net|edu|gov|io|co|uk|us|de|fr|info|biz|dev|app|ai|tv|me|ly|ca|au|eu"
_URL = re.compile(
    r"(?<![\w@/.-])(?:(?:https?|ftp)://)?(?:www\.)?"  # not from inside a dotted run ("1.2.3…"): linear time
    r"(?:[A-Za-z0-9-]+\.){1,8}(?:" + _TLDS + r")\b(?:/[^\s]*[^\s.,;:!?\"')\]])?(?![\w@])", re.IGNORECASE)
_URL_SCHEME = re.compile(r"(?<![\w@/])(?:https?|ftp)://[^\s]*[^\s.,;:!?\"')\]]")


def _spell_address_part(part: str) -> str:
    """"example" → "example"; "my-site_2" → "my dash site underscore two"."""
    out = []
    for token in re.split(r"([._\-/+?=&#%~:])", part):
        if not token:
            continue
        out.append({".": "dot", "_": "underscore", "-": "dash", "/": "slash", "+": "plus", "?": "question mark",
                    "=": "equals", "&": "and", "#": "hash", "%": "percent", "~": "tilde", ":": "colon"}.get(token)
                   or (digits(token) if token.isdigit() else token))
    return " ".join(out)


def _email(m: re.Match) -> str:
    return f"{_spell_address_part(m.group(1))} at {_spell_address_part(m.group(2))}"


def _url(m: re.Match) -> str:
    url = re.sub(r"^(?:https?|ftp)://", "", m.group(0), flags=re.IGNORECASE)
    url = url.rstrip("/")
    host, _, path = url.partition("/")
    words = []
    if host.lower().startswith("www."):
        words.append("w w w dot")
        host = host[4:]
    words.append(_spell_address_part(host))
    if path:
        words.append("slash " + _spell_address_part(path))
    return " ".join(words)


# phone numbers: (212) 555-0198, 212-555-0198, 212.555.0198, +1 212 555 0198, 1-800-555-0199, 555-0134
_PHONE = re.compile(
    r"(?<![\w.,/+-])(?:\+(?P<country>\d{1,3})[\s.-]?|(?P<trunk>1)-)?"
    r"(?:(?:\((?P<area>\d{3})\)\s?|(?P<area2>\d{3})[\s.-])(?P<exchange>\d{3})[\s.-]|(?P<local>\d{3})-)"
    r"(?P<line>\d{4})(?![\w-]|[.,]\d)")


# a toll-free number spelled as a word: "1-800-FLOWERS", "1-888-GO-FEDEX" (the word is said as a word)
_VANITY_PHONE = re.compile(r"(?<![\w.,/+-])(?:(?P<trunk>1)-)?(?P<code>800|888|877|866|855|844|833)-"  # hyphens: "800 GB" is a size
                           r"(?P<word>[A-Z]{2,10}(?:-[A-Z]{2,10})?)(?![\w-])(?<=[A-Z]{3})")


def _vanity_phone(m: re.Match) -> str:
    head = "one " if m.group("trunk") else ""
    code = m.group("code")
    return f"{head}{cardinal(int(code[0]))} {'hundred' if code == '800' else digits(code[1:])} " \
           + m.group("word").replace("-", " ").lower()


# a deal: "2-for-1", "3-for-2"
_N_FOR_M = re.compile(r"(?<![\w.,-])(\d{1,2})-for-(\d{1,2})(?![\w-])")

# a short code to text a keyword to: "Text STOP to 12345", digit by digit
_SHORT_CODE = re.compile(r"\b(?P<head>[Tt]ext\s+[A-Z]{2,12}\s+to\s+)(?P<num>\d{3,6})(?![\w-]|[.,]\d)")

# a code of capitals and digits in hyphenated groups ("INV-2024-0042", "AB12-CD34", "ABC-1234"), or
# any such code after "#" ("#A1234"): letters as letters, digits one by one. A name with a number
# ("COVID-19", "F-150", "B-52") has two groups and a short number, and is not a code.
_ALNUM_CODE = re.compile(r"(?<![\w#-])(?P<hash>#)?(?P<code>(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)*)(?![\w-]|\.\d)")


def _alnum_code(m: re.Match) -> str:
    code, groups = m.group("code"), m.group("code").split("-")
    mixed = all(re.search(r"[A-Z]", g) and re.search(r"\d", g) and len(g) <= 5 for g in groups)  # "AB12-CD34", not "UTF-16LE", "AVX512-FP16"
    long_digits = any(len(g) >= 4 and g.isdigit() for g in groups)  # "AES-256-GCM" is a name, "XK-7741-B" a code
    if len(groups) == 2 and any(re.fullmatch(r"(?:19|20)\d\d", g) for g in groups):
        return m.group(0)  # "SUS-2008": a name and a year
    is_code = (len(groups) >= 3 and long_digits) or (len(groups) == 2 and (
        mixed or long_digits and any(len(g) >= 2 and g.isalpha() for g in groups)))
    # a two-part code with a long number or a model's run of digits: "A7-3390", "KX-TG6821E"
    is_code = is_code or len(groups) == 2 and any(re.search(r"[A-Z]", g) for g in groups) and (
        long_digits and any(re.search(r"[A-Z]", g) and re.search(r"\d", g) for g in groups)
        or any(re.fullmatch(r"[A-Z]{1,3}\d{4,}[A-Z]*", g) for g in groups))  # not "FFDHE2048", "POLY1305"
    if m.group("hash") and not is_code:
        is_code = len(re.sub(r"\D", "", code)) >= 3  # "order #A1234", "ticket #A7-33"
    if not is_code or len(code) > 40:
        return m.group(0)
    words = [" ".join(digits(part) if part.isdigit() else part for part in re.findall(r"\d+|[A-Z]+", g)) for g in groups]
    return ("number " if m.group("hash") else "") + " ".join(words)


# a short number dialled, digit by digit: "call 911", "dial 999", "text 88022"
_DIALLED = re.compile(r"\b(?P<verb>[Cc]all|[Dd]ial|[Tt]ext|[Pp]hone|[Rr]ing)(?P<gap>\s+(?:[A-Z]{2,5}\s+)?)(?!(?:19|20)\d\d\b)(?P<num>\d{3,6})(?![\w-]|[.,]\d)")  # not a year ("call 2024 …")


# national numbers in groups opening with the trunk 0: 07700 900123, 020 7946 0958
_PHONE_TRUNK = re.compile(r"(?<![\w.,+-])0\d{2,4}(?:[ ]\d{3,6}){1,2}(?![\w-]|[.,]\d)")


# international numbers in groups: +44 20 7946 0958, +1 212 555 0198
_PHONE_INTL = re.compile(r"(?<![\w+])\+(\d{1,3})((?:[\s.-]\(?\d{1,4}\)?){2,5})(?![\w-]|[.,]\d)")


def _grouped_digits(text: str) -> str:
    """Digit groups separated by spaces, dots or hyphens, each read digit by digit, a pause between:
    "020 7946" → "zero two zero, seven nine four six"."""
    return ", ".join(digits(g) for g in re.split(r"[\s.-]+", text) if g)


def _phone_intl(m: re.Match) -> str:
    return f"plus {digits(m.group(1))}, {_grouped_digits(m.group(2).replace('(', '').replace(')', ''))}"


def _phone(m: re.Match) -> str:
    groups = []
    if m.group("country"):
        groups.append("plus " + digits(m.group("country")))
    if m.group("trunk"):
        groups.append(digits(m.group("trunk")))
    if m.group("area") or m.group("area2"):
        groups.append(digits(m.group("area") or m.group("area2")))
    groups += [digits(m.group("exchange") or m.group("local")), digits(m.group("line"))]
    return ", ".join(groups)


# money: $3.50, $0.99, $4.2 million, $5m, £1,200, €20, $10–$20, $10-20
_MONEY = re.compile(
    r"(?P<sym>[" + _CURRENCY_SIGNS + r"]|\b(?:" + _CURRENCY_CODES + r")(?=\s?\d))\s?(?P<num>\d{1,3},\d{2}(?![\d,])|" + _NUM + r")"
    r"(?:\s?(?P<dash>[–—-]|to)\s?[" + _CURRENCY_SIGNS + r"]?\s?(?P<num2>" + _NUM + r"))?"
    r"(?:\s?(?P<mag>thousand|million|billion|trillion|bn|mn|tn|[kKmMbB])(?![A-Za-z]))?")
# an amount with its currency code after it: "200 USD", "1.5 million EUR"
_MONEY_CODE_AFTER = re.compile(
    r"(?<![\w.,])(?P<num>" + _NUM + r")(?:\s?(?P<mag>thousand|million|billion|trillion|bn|mn|tn|[kKmMbB]))?"
    r"\s?(?P<sym>" + _CURRENCY_CODES + r")\b")


def _money_amount(value: str, sym: str, magnitude: str | None) -> str:
    unit, units, cent, cents = CURRENCIES[sym]
    if magnitude:
        return f"{number(value)} {_MAGNITUDES[magnitude]} {units}"
    if re.fullmatch(r"\d+,\d{2}", value):  # "€3,99": a decimal comma (two digits cannot be thousands)
        value = value.replace(",", ".")
    whole, _, frac = value.replace(",", "").partition(".")
    whole_n = int(whole) if whole else 0
    frac_n = int((frac + "0")[:2]) if frac else 0
    if frac and len(frac) > 2:  # $1.999: not money style, read as a decimal
        return f"{decimal(value)} {units}"
    if sym == "£" and whole_n and frac_n:  # "£4.50": four pounds fifty
        return f"{cardinal(whole_n)} {unit if whole_n == 1 else units} {cardinal(frac_n)}"
    parts = []
    if whole_n or not frac_n:
        parts.append(f"{cardinal(whole_n)} {unit if whole_n == 1 else units}")
    if frac_n:
        parts.append(f"{cardinal(frac_n)} {cent if frac_n == 1 else cents}")
    return " and ".join(parts)


# a price or measure per unit: "$35/month", "$3.99/lb", "20 mg/day", "$120/night"
_PER_TIME = {"hr": "an hour", "hour": "an hour", "day": "a day", "wk": "a week", "week": "a week",
             "mo": "a month", "month": "a month", "yr": "a year", "year": "a year", "night": "a night"}
_PER_THING = {"person", "head", "user", "seat", "unit", "item", "ticket", "serving", "dose", "pair", "piece", "page",
              "word", "guest", "adult", "child", "student", "visit", "session", "class", "lesson", "mile", "gallon",
              "liter", "litre", "pound", "ounce", "kilo", "box", "bag", "bottle", "can", "pack", "case", "share"}
_PER_UNIT = re.compile(r"(?P<head>(?<![\w.,])[" + _CURRENCY_SIGNS + r"]?\d(?:[\d,]*\d)?(?:\.\d+)?"
                       r"(?:\s?(?:[A-Za-zµ°]{1,5}|million|billion))?)/(?P<per>sq ft|[A-Za-z]+)(?![\w/²])(?:\.(?=[ \t]+[a-z]|[,;:)]))?")


def _per_unit(m: re.Match) -> str:
    per = m.group("per")
    key = per.lower()
    if key in _PER_TIME:
        return f"{m.group('head')} {_PER_TIME[key]}"
    if key in _PER_THING or per in UNITS and len(per) > 1:  # not "km/h", "m/s", "mmol/L": units of their own
        return f"{m.group('head')} per {UNITS[per][0] if per in UNITS else key}"
    return m.group(0)


def _money_code_after(m: re.Match) -> str:
    return _money_amount(m.group("num"), m.group("sym"), m.group("mag"))


def _money(m: re.Match) -> str:
    sym, num, num2, mag = m.group("sym"), m.group("num"), m.group("num2"), m.group("mag")
    whole = re.fullmatch(r"(\d{1,3}(?:,\d{3})*|\d+)(?:\.00)?", num)
    if not num2 and (whole or mag) and _attributive(m):  # "a $250.00 fee", "a $1.5 trillion package"
        amount = f"{number(num)} {_MAGNITUDES[mag]}" if mag else number(whole.group(1))
        return f"{amount} {CURRENCIES[sym][0]}"
    if num2:
        if mag:
            return f"{number(num)} to {number(num2)} {_MAGNITUDES[mag]} {CURRENCIES[sym][1]}"
        return f"{_money_amount(num, sym, None)} to {_money_amount(num2, sym, None)}"
    return _money_amount(num, sym, mag)


# dates
_ORD_SUFFIX = r"(?:st|nd|rd|th)"
_MONTH_DAY = re.compile(
    r"\b(?P<month>" + _MONTH_RE + r")\s+(?P<day>\d{1,2})" + _ORD_SUFFIX + r"?(?!\d|[:.,]\d|\w)"
    r"(?:\s?[–-]\s?(?P<day2>\d{1,2})" + _ORD_SUFFIX + r"?(?!\d|[:.,]\d|\w))?"
    r"(?:(?P<comma>,?)\s+(?P<year>\d{4})(?!\d|[:.,]\d))?")
# a weekday written short before a date: "Sat 10/12", "Mon 3/4"
_WEEKDAY_BEFORE_DATE = re.compile(r"\b(Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b\.?(?=,?\s+\d{1,2}(?:/\d{1,2}\b|(?:st|nd|rd|th)?\s+"
                                  + _MONTH_RE + r"|(?:st|nd|rd|th)\b))")  # "Sat 14/01", "Mon 11 May", "Mon 10th"
# a weekday written short without its period where only a weekday fits: "from Mon to Tues", "by Fri",
# "18:00 Sat" (not "Sun", a firm and a star)
_WEEKDAY_SHORT = re.compile(r"(?P<lead>\b(?:on|by|until|till|til|from|to|this|next|every|last|thru|through) |\d\d:\d\d )"
                            r"(?P<day>Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat)\b(?![.'’-]|\s+[A-Z][a-z])")
_DAY_MONTH = re.compile(
    r"\b(?:(?P<the>the)\s+)?(?P<day>\d{1,2})" + _ORD_SUFFIX + r"?(?:\s+of)?\s+(?P<month>" + _MONTH_RE + r")(?!\w)"
    r"(?:(?P<comma>,?)\s+(?P<year>\d{4})(?!\d|[:.,]\d))?")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH_DATE = re.compile(r"(?<![\w/.])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
# dates written with dots are European: day, month, four-digit year ("04.07.1986")
_DOTTED_DATE = re.compile(r"(?<![\w.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w.]\w|\w|\.\d)")


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")
    return _MONTH_NAMES.get(key) or _MONTH_ABBR[key]


def _date_words(month: int, day: int, yr: int | None, day_first: bool = False) -> str:
    name = MONTHS[month - 1]
    head = f"the {ordinal(day)} of {name}" if day_first else f"{name} {ordinal(day)}"
    return f"{head}, {year(yr)}" if yr is not None else head


def _month_day(m: re.Match) -> str:
    day = int(m.group("day"))
    day2 = int(m.group("day2")) if m.group("day2") else None
    if not 1 <= day <= 31 or day2 is not None and not day < day2 <= 31:
        return m.group(0)
    yr = m.group("year")
    if day2 is not None:  # "Oct. 14–18": October fourteenth to eighteenth
        first = _date_words(_month_number(m.group("month")), day, None)
        return f"{first} to {ordinal(day2)}" + (f", {year(int(yr))}" if yr else "")
    return _date_words(_month_number(m.group("month")), day, int(yr) if yr else None)


def _day_month(m: re.Match) -> str:
    day = int(m.group("day"))
    if not 1 <= day <= 31:
        return m.group(0)
    yr = m.group("year")
    return _date_words(_month_number(m.group("month")), day, int(yr) if yr else None, day_first=True)


def _iso_date(m: re.Match) -> str:
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return _date_words(mo, d, y)


def _slash_date(m: re.Match) -> str:
    a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
    yr = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 50 else 1900 + int(y))
    if 1 <= a <= 12 and 1 <= b <= 31:
        return _date_words(a, b, yr)  # American month/day/year
    if 1 <= b <= 12 and 1 <= a <= 31:
        return _date_words(b, a, yr, day_first=True)  # day/month/year
    return m.group(0)


def _dotted_date(m: re.Match) -> str:
    d, mo, y = (int(g) for g in m.groups())
    return _date_words(mo, d, y, day_first=True) if 1 <= mo <= 12 and 1 <= d <= 31 else m.group(0)


# times: 7:45 a.m., 7:45am, 18:30, 7 p.m., 7pm, 12:00 noon
_AMPM = r"(?P<ampm>[aApP])\.?\s?[mM]\.?(?![A-Za-z])"
_CLOCK = re.compile(r"(?<![\d:.,])(?P<h>\d{1,2}):(?P<m>\d{2})(?!\d|:\d)(?:\s?" + _AMPM + r")?")
_DOTTED_CLOCK = re.compile(r"(?<![\d.,])(?P<h>\d{1,2})\.(?P<m>[0-5]\d)(?=\s?[aApP]\.?\s?[mM]\.?(?![A-Za-z]))")  # "2.15pm"
_HOUR_AMPM = re.compile(r"(?<![\d:.,])(?P<h>\d{1,2})\s?" + _AMPM)


# a time zone after "8 p.m." ("8 p.m. Eastern", "11 a.m. PT"): the period is not a full stop
_TIME_ZONE_NEXT = re.compile(r"[ \t]+(?:Eastern|Central|Mountain|Pacific|Atlantic|Alaska|Hawaii|Greenwich|local|"
                             r"[ECMP][SD]?T|GMT|UTC|BST|CES?T|IST|AES?T|HST|AKST)\b")


def _ampm_ends_sentence(text: str, end: int) -> bool:
    """Whether the period of "a.m." / "p.m." just before ``end`` also ends the sentence."""
    return sentence_ends_after(text, end) and not _TIME_ZONE_NEXT.match(text[end:])


def _ampm_words(m: re.Match) -> tuple[str, str]:
    """("AM", ".") when a.m. ended a sentence (its period doubles as the full stop), else ("AM", "")."""
    ampm = m.group("ampm")
    if not ampm:
        return "", ""
    ends = m.group(0).endswith(".") and _ampm_ends_sentence(m.string, m.end())
    return (" AM" if ampm in "aA" else " PM"), ("." if ends else "")


def _clock(m: re.Match) -> str:
    h, mi = int(m.group("h")), int(m.group("m"))
    if h > 24 and 0 < mi <= 59 and not m.group("ampm"):
        return _halves(h, mi)  # minutes and seconds: "6.2 mi in 52:14" (fifty-two fourteen), not a ratio
    if h > 24 or mi > 59:
        return m.group(0)
    ampm, stop = _ampm_words(m)
    if mi == 0 and re.match(r"\s+(?:noon|midnight)\b", m.string[m.end():]):
        spoken = cardinal(h)  # "12:00 noon": twelve noon
    elif mi == 0:
        spoken = cardinal(h) + (" o'clock" if not ampm and h <= 12 else "" if ampm else " hundred")
    else:
        spoken = _halves(h, mi)
    return spoken + ampm + stop


# a lap or race time with a fraction of a second: "1:26.204" (one twenty-six point two zero four)
_LAP_TIME = re.compile(r"(?<![\d:.,])(?P<m>\d{1,2}):(?P<s>[0-5]\d)\.(?P<frac>\d{1,3})(?![\d.:])")


def _lap_time(m: re.Match) -> str:
    minutes, seconds = int(m.group("m")), int(m.group("s"))
    head = _halves(minutes, seconds) if minutes else cardinal(seconds)
    return f"{head} point {digits(m.group('frac'))}"


# "16:9", "4:3" (a first part at least the second; "3:16" is read as a time or a verse above)
_RATIO = re.compile(r"(?<![\d:.,])(\d{1,3}):(\d{1,3})(?![\d:])")


def _ratio(m: re.Match) -> str:
    a, b = int(m.group(1)), int(m.group(2))
    return f"{cardinal(a)} to {cardinal(b)}" if a >= b else m.group(0)


def _hour_ampm(m: re.Match) -> str:
    h = int(m.group("h"))
    if not 1 <= h <= 12:
        return m.group(0)
    ampm, stop = _ampm_words(m)
    return cardinal(h) + ampm + stop


# ranges between numbers: 10–12, 10-12%, 2nd–3rd, 1990–1995, 2019–20, 5-10 km
_RANGE = re.compile(
    r"(?<![\w.,/:-])(?P<a>" + _NUM + r")(?P<ao>" + _ORD_SUFFIX + r")?\s?[–—-]\s?"
    r"(?P<b>" + _NUM + r")(?P<bo>" + _ORD_SUFFIX + r")?(?![\w.,/-]\d|\d|-)"
    r"(?:\s?(?P<unit>" + _UNIT_RE + r")" + _UNIT_AFTER + r")?")


def _range(m: re.Match) -> str:
    a, b, unit = m.group("a"), m.group("b"), m.group("unit")
    if m.group("ao") or m.group("bo"):
        if not (m.group("ao") and m.group("bo")):
            return m.group(0)
        return f"{ordinal(int(a))} to {ordinal(int(b))}"
    if re.fullmatch(r"\d{4}", a) and re.fullmatch(r"\d{2}|\d{4}", b) and 1000 <= int(a) <= 2099:
        b_year = int(b) if len(b) == 4 else int(a) // 100 * 100 + int(b)
        if b_year > int(a) and not unit:
            return f"{year(int(a))} to {year(b_year)}"
    if unit:
        return f"{number(a)} to {_with_unit(b, unit)}"
    return f"{number(a)} to {number(b)}"


# "5.25%-5.50%": a hyphen between two percentages is a range, as an en dash is (not a minus sign)
_PERCENT_TWICE = re.compile(r"(?<=\d)(?P<sign>[ \t]?%)[ \t]?-[ \t]?(?=\d[\d.,]*[ \t]?%)")


# "2-3 in. wide", "6 in. long": "in." with its period before a measuring word is inches
_IN_DOT = re.compile(r"(?<![\w.,])(?P<num>" + _NUM + r")(?P<to>\s?[–-]\s?(?P<num2>" + _NUM + r"))?\s?in\."
                     r"(?=\s+(?:wide|long|tall|high|deep|thick|across|in diameter|of)\b)")


def _in_dot(m: re.Match) -> str:
    inches = _counted(m.group("num2") or m.group("num"), "inch", "inches")
    return f"{number(m.group('num'))} to {inches}" if m.group("num2") else inches


# a ratio of three or more terms: "1:2:3" (a time has two-digit minutes and seconds)
_RATIO_TERMS = re.compile(r"(?<![\w:.,])\d{1,3}(?::\d{1,3}){2,}(?![\w:]|[.,]\d)")


def _ratio_terms(m: re.Match) -> str:
    terms = m.group(0).split(":")
    if all(len(t) == 2 for t in terms[1:]):
        return m.group(0)  # "10:15:30" is a time
    return " to ".join(cardinal(int(t)) for t in terms)


# a rating with a decimal: "4.5/5", "9.5/10" (four point five out of five)
_RATING = re.compile(r"(?<![\w/.])(?P<a>\d+\.\d+)/(?P<b>\d{1,3})(?![\w/]|\.\d)")


def _rating(m: re.Match) -> str:
    return f"{number(m.group('a'))} out of {cardinal(int(m.group('b')))}"


# fractions and month/day dates written with a slash
# a unit written short after a fraction ("1/2 tsp. salt"): said with it, its dot dropped mid-sentence
_FRACTION_UNITS = ("tbsp", "tsp", "lbs", "lb", "oz", "kg", "mg", "g", "ml", "mL", "cm", "mm", "km", "mi", "ft", "gal")
_SLASH = re.compile(r"(?<![\w/.])(?:(?P<whole>\d+)\s+)?(?P<a>\d{1,3})/(?P<b>\d{1,3})(?![\w/]|\.\d)"
                    r"(?:\s?(?P<unit>" + "|".join(_FRACTION_UNITS) + r")(?![A-Za-z0-9])(?:\.(?=\s+[a-z]))?)?")


def _fraction_words(a: int, b: int) -> str:
    if b == 2:
        name = "half" if a == 1 else "halves"
    elif b == 4:
        name = "quarter" if a == 1 else "quarters"
    else:
        name = ordinal(b) if a == 1 else ordinal(b) + "s"
    return f"{cardinal(a)} {name}"


def _slash(m: re.Match) -> str:
    unit = m.group("unit")
    whole, a, b = m.group("whole"), int(m.group("a")), int(m.group("b"))
    if not unit:
        return _slash_words(m)
    if b == 0:
        return m.group(0)
    singular, plural = UNITS[unit]
    if whole is not None or a >= b:  # "two and a quarter teaspoons"
        return f"{_mixed_fraction(int(whole), a, b) if whole is not None else _fraction_words(a, b)} {plural}"
    if (a, b) == (1, 2):
        return f"half a {singular}"
    return f"{_fraction_words(a, b)} of {'an' if singular[0] in 'aeiou' else 'a'} {singular}"


def _mixed_fraction(whole: int, a: int, b: int) -> str:
    if a >= b:  # "2 3/2" is not a mixed number; leave the pieces
        return f"{cardinal(whole)} {_fraction_words(a, b)}"
    frac = _fraction_words(a, b)
    frac = "a half" if frac == "one half" else "a quarter" if frac == "one quarter" else frac
    return f"{cardinal(whole)} and {frac}"


def _slash_words(m: re.Match) -> str:
    whole, a, b = m.group("whole"), int(m.group("a")), int(m.group("b"))
    before = _text_before(m.string, m.start()).split()
    after = _text_after(m.string, m.end()).split()
    prev = before[-1].lower().strip(",.") if before else ""
    nxt = after[0].lower().strip(",.;:!?") if after else ""
    if b == 0:
        return m.group(0)
    if whole is None and (a, b) == (1, 2) and nxt in ("a", "an", "the"):
        return "half"
    if whole is None:
        padded = m.group("a").startswith("0") or m.group("b").startswith("0")  # "26/04": nobody pads a fraction
        is_date = 1 <= a <= 12 and 1 <= b <= 31 and (
            prev in _DATE_BEFORE or padded or (nxt not in _FRACTION_AFTER and (b > 12 or a >= b)))
        if is_date:
            return _date_words(a, b, None)
        if 12 < a <= 31 and 1 <= b <= 12 and (prev in _DATE_BEFORE or padded):  # "Sat 14/01": day first
            return _date_words(b, a, None, day_first=True)
        if a == 24 and b == 7:
            return "twenty-four seven"
        if a == b == 50:  # "a 50/50 chance"
            return "fifty-fifty"
        if a >= b >= 10:  # "120/80": a reading, not a fraction of eightieths
            return f"{cardinal(a)} over {cardinal(b)}"
        if b in (10, 100) and nxt not in _FRACTION_AFTER:  # "7/10", "97/100": a score ("a tenth of")
            return f"{cardinal(a)} out of {cardinal(b)}"
        return _fraction_words(a, b)
    return _mixed_fraction(int(whole), a, b)


_UNICODE_FRACTION = re.compile(r"(?:(?<!\d)(\d+)\s?)?([" + "".join(_FRACTIONS) + "])"
                               r"(?:\s?(?P<unit>" + "|".join(_FRACTION_UNITS) + r")(?![A-Za-z0-9])(?:\.(?=\s+[a-z]))?)?")


def _unicode_fraction(m: re.Match) -> str:
    a, b = _FRACTIONS[m.group(2)]
    if m.group("unit"):  # "½ tsp", "1½ tbsp": as "1/2 tsp" and "1 1/2 tbsp" are read
        singular, plural = UNITS[m.group("unit")]
        if m.group(1):
            return f"{_mixed_fraction(int(m.group(1)), a, b)} {plural}"
        if (a, b) == (1, 2):
            return f"half a {singular}"
        return f"{_fraction_words(a, b)} of {'an' if singular[0] in 'aeiou' else 'a'} {singular}"
    if not m.group(1) and (a, b) == (1, 2) and re.match(r"\s+(an?|the)\b", m.string[m.end():]):
        return "half"
    frac = _fraction_words(a, b)
    if m.group(1):
        frac = "a half" if frac == "one half" else "a quarter" if frac == "one quarter" else frac
        return f"{cardinal(int(m.group(1)))} and {frac}"
    return frac


# decades and years
_DECADE = re.compile(r"(?<![\w'’])(?:(?P<century>1[1-9]|20)?(?P<tens>\d)0|['’](?P<short>\d)0)['’]?s\b")


def _decade(m: re.Match) -> str:
    tens = int(m.group("tens") or m.group("short"))
    century = m.group("century")
    if century and tens == 0:
        return "two thousands" if century == "20" else f"{cardinal(int(century))} hundreds"
    decade = _plural_tens(cardinal(tens * 10)) if tens else "hundreds"
    if century:
        return f"{cardinal(int(century))} {decade}" if century != "20" else f"twenty {decade}"
    return decade


_FOUR_DIGITS = re.compile(r"(?<![\w.,$£€¥/:-])(\d{4})(?![\w.,/:-]\d|\d|%|[\w°])")


def _year_or_number(m: re.Match) -> str:
    if m.group(1).startswith("0"):
        return digits(m.group(1))  # "the card ending 0926": an identifier
    n = int(m.group(1))
    if not 1000 <= n <= 2099:
        return cardinal(n)
    before = _text_before(m.string, m.start()).split()
    after = _text_after(m.string, m.end()).split()
    prev = before[-1].lower().rstrip(",") if before else ""
    nxt = after[0].strip(",.;:!?\"')") if after else ""
    if prev in _YEAR_BEFORE:
        return year(n)
    if nxt in UNITS or (nxt.islower() and nxt.endswith("s") and len(nxt) > 3 and nxt not in _NOT_COUNTED) or \
            nxt in {"people", "men", "women", "children", "feet", "times", "percent", "dollars", "pounds"}:
        return cardinal(n)
    return year(n)


# ordinals, numbers with units, plain numbers
_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(st|nd|rd|th)\b")


def _ordinal(m: re.Match) -> str:
    n, suffix = int(m.group(1)), m.group(2)
    right = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    if suffix == right or suffix == "th":
        return ordinal(n)
    if suffix == "st":  # "12st 4lb": twelve stone (a British weight), not an ordinal
        return f"{cardinal(n)} stone"
    return m.group(0)
# "lb." / "oz." / "tsp." mid-sentence: the abbreviation's own dot, not a full stop, when a word in lower
# case follows ("a 12 lb. turkey", "2 tsp. salt"); before a capital it may end the sentence and stays.
_DECIMAL_SECONDS = re.compile(r"(?<![\w.,])(\d+\.\d+)s\b")  # "ran it in 9.58s"
_NUM_UNIT = re.compile(r"(?<![\w.,])(?P<neg>[-−])?(?P<num>" + _NUM + r")\s?(?P<unit>" + _UNIT_RE + r")" + _UNIT_AFTER
                       + r"(?:(?<=[A-Za-z])\.(?=\s+[a-z]))?")
_PLAIN_NUMBER = re.compile(r"(?<![\w.])(?:(?P<neg>[-−])(?=\d|\.\d))?(?P<num>" + _NUM + r")(?![\d])")
_DIGITS_IN_WORD = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


# words after "a 5 km …" that do not make the measure an adjective ("a 5 km of road" is rare, "a 5 km walk")
_NOT_ATTRIBUTIVE = {"of", "and", "or", "to", "per", "away", "from", "in", "on", "at", "by", "for", "with", "than",
                    "is", "are", "was", "were", "will", "would", "can", "could", "has", "have", "had", "should",
                    "must", "may", "might", "does", "did", "do", "each", "apiece", "total", "altogether", "more",
                    "less", "long", "wide", "high", "tall", "deep", "old", "ago", "later", "earlier", "between",
                    "after", "before", "during", "until", "into", "over", "under", "through", "within", "without",
                    "across", "around", "since", "behind", "above", "below", "then", "when", "while", "if"}
_COUNT_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "several", "some"}
_DETERMINERS = {"a", "an", "the", "its", "their", "our", "your", "his", "her", "my", "this", "that"}


def _attributive(m: re.Match) -> bool:
    """Whether the measure matched names a kind ("a 2 TB drive", "the 15 mm limit"): after a
    determiner, before a word that is not a preposition, conjunction or verb."""
    after = re.match(r"\s+([A-Za-z]+)(?![A-Za-z])", m.string[m.end():])  # "a 3.5L V6": a word, or a model's letters
    prev = _prev_word(m.string, m.start())[0].lower()
    counted = bool(re.fullmatch(r"\d+", prev)) or prev in _COUNT_WORDS  # "two 5 ml spoonfuls"
    return (prev in _DETERMINERS or counted) and bool(after) and after.group(1) not in _NOT_ATTRIBUTIVE


_HYPHEN_UNITS = {**{u: UNITS[u][0] for u in ("lb", "lbs", "oz", "kg", "g", "mg", "km", "mi", "ft", "cm", "mm", "m",
                                               "gal", "ml", "mL", "L", "tsp", "tbsp", "GB", "TB", "MB", "W", "kW",
                                               "V", "mph", "hr", "min", "sec", "yd")}, "in": "inch", "pt": "point"}
_HYPHEN_UNIT = re.compile(r"(?<![\w.,-])(?P<num>\d+(?:\.\d+)?)-(?P<unit>" + "|".join(sorted(_HYPHEN_UNITS, key=len, reverse=True))
                          + r")(?:(?<=[a-z])\.)?(?![\w-])(?=\s+[a-z])")


def _hyphen_unit(m: re.Match) -> str:
    value, unit = m.group("num"), _HYPHEN_UNITS[m.group("unit")]
    return f"{number(value)} {unit}" if "." in value else f"{number(value)}-{unit}"


def _num_unit(m: re.Match) -> str:
    value = m.group("num")
    if m.group("unit") in _CAPITAL_UNITS and re.search(r"\s", m.group(0)) and re.match(r"\s+[A-Z0-9]", m.string[m.end():]):
        return m.group(0)
    if _attributive(m):
        words = f"{number(value)} {UNITS[m.group('unit')][0]}"  # "a 2 TB drive": the unit names a kind
        return f"minus {words}" if m.group("neg") else words
    words = _with_unit(value, m.group("unit"))
    return f"minus {words}" if m.group("neg") else words


def _plain_number(m: re.Match) -> str:
    words = number(m.group("num"))
    return f"minus {words}" if m.group("neg") else words


# abbreviations
_TITLES = {"Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Mx.": "Mix", "Prof.": "Professor",
           "Gen.": "General", "Gov.": "Governor", "Sen.": "Senator", "Rep.": "Representative",
           "Capt.": "Captain", "Lt.": "Lieutenant", "Col.": "Colonel", "Sgt.": "Sergeant",
           "Rev.": "Reverend", "Hon.": "Honorable", "Fr.": "Father", "Mt.": "Mount", "Pres.": "President",
           "Ft.": "Fort"}
_ALWAYS_TITLES = {"Mr.", "Mrs.", "Ms.", "Mx.", "Prof.", "Capt.", "Lt.", "Sgt.", "Rev."}
# abbreviations whose period can also end the sentence
_TRAILING = {"Jr.": "Junior", "Sr.": "Senior", "Inc.": "Incorporated", "Ltd.": "Limited", "Co.": "Company",
             "Corp.": "Corporation", "Bros.": "Brothers", "Dept.": "Department", "Univ.": "University",
             "Ave.": "Avenue", "Rd.": "Road", "Blvd.": "Boulevard", "Ln.": "Lane", "Ct.": "Court",
             "Hwy.": "Highway", "Apt.": "Apartment", "Ste.": "Suite", "Pl.": "Place", "Sq.": "Square",
             "etc.": "et cetera",
             "est.": "established", "Est.": "Established", "max.": "maximum", "avg.": "average",
             "dept.": "department", "yr.": "year", "yrs.": "years", "wk.": "week", "wks.": "weeks",
             "mo.": "month", "mos.": "months", "hr.": "hour", "hrs.": "hours", "Ph.D.": "PhD",
             "ext.": "extension", "tel.": "telephone", "fig.": "figure", "Fig.": "Figure",
             "ref.": "reference", "Ref.": "Reference", "avail.": "available", "pkg.": "package", "hwy.": "highway",
             "para.": "paragraph", "paras.": "paragraphs", "incl.": "including", "Incl.": "Including",
             "ea.": "each", "b.i.d.": "twice a day", "t.i.d.": "three times a day", "q.i.d.": "four times a day",
             "q.d.": "once a day", "p.r.n.": "as needed", "q.h.s.": "at bedtime", "p.o.": "by mouth"}
_PHRASES = {"e.g.": "for example", "i.e.": "that is", "a.k.a.": "also known as", "w/o": "without",
            "vs": "versus", "vs.": "versus", "v.": "versus", "approx.": "approximately", "w/": "with",
            "cf.": "compare", "p.a.": "per annum", "approx": "approximately", "w/c": "week commencing",
            "excl.": "excluding", "Excl.": "Excluding"}
_BEFORE_NUMBER = {"No.": "number", "no.": "number", "Nos.": "numbers", "nos.": "numbers", "pp.": "pages",
                  "p.": "page", "Vol.": "volume", "vol.": "volume", "Ch.": "chapter", "ch.": "chapter",
                  "Fig.": "figure", "fig.": "figure", "Ex.": "exhibit", "Art.": "article", "Sec.": "section",
                  "Rm.": "room", "Dep.": "departs", "dep.": "departs", "Arr.": "arrives", "arr.": "arrives",
                  "Para.": "paragraph"}
_BEFORE_MONTH = {"in", "of", "since", "until", "till", "by", "from", "through", "to", "last", "next", "this", "early",
                 "late", "mid", "during", "before", "after", "end"}
_BEFORE_WEEKDAY = {"on", "by", "until", "till", "til", "through", "thru", "every"}  # not "from Sun." (the firm)
# what has a number, written "no." after it with no digits following: "your account no. and name"
_NUMBERED = {"account", "order", "policy", "reference", "ticket", "case", "invoice", "tracking", "phone", "telephone",
             "serial", "model", "part", "item", "booking", "confirmation", "customer", "member", "membership",
             "registration", "license", "licence", "passport", "seat", "tax", "vat", "id", "claim", "reservation"}
_WEEKDAYS = {"Mon.": "Monday", "Tue.": "Tuesday", "Tues.": "Tuesday", "Wed.": "Wednesday",
             "Thu.": "Thursday", "Thur.": "Thursday", "Thurs.": "Thursday", "Fri.": "Friday",
             "Sat.": "Saturday", "Sun.": "Sunday"}

# The abbreviations the normaliser reads, in lower case without their final period, for the
# chunker (``engines.tts.text``), so both agree on where a sentence ends. After one that comes
# before what it names (a title, "e.g.", "No." before a number, a weekday or month, and "St" and
# "Dr", which have rules of their own) the period never ends a sentence; after one of
# :data:`_TRAILING` ("Inc.", "etc.", "Ph.D.") it does where :func:`abbreviation_ends_sentence` says so.
LEADING_ABBREVIATIONS = frozenset(
    {key.rstrip(".").lower() for table in (_TITLES, _PHRASES, _BEFORE_NUMBER, _WEEKDAYS) for key in table
     if key.endswith(".")} | set(_MONTH_ABBR) | {"st", "dr"})
TRAILING_ABBREVIATIONS = frozenset(key.rstrip(".").lower() for key in _TRAILING) - LEADING_ABBREVIATIONS

_ABBR_TOKEN = re.compile(r"(?<![\w.])([A-Za-z]{1,6}\.|vs|w/o|w/c|w/|[bt]\.i\.d\.|q\.i\.d\.|q\.d\.|p\.r\.n\.|q\.h\.s\.|p\.o\.|e\.g\.|i\.e\.|a\.k\.a\.|p\.a\.|Ph\.D\.|St\b|Dr\b|Ave\b|Rd\b|"
                         r"approx\b|inc\b|ext\b|tel\b|Tel:|v\b)(?=[\s,;:!?)\"'”’]|$)")


# A compass direction after a street ("Pennsylvania Ave. NW", "Main St N"): said in words, and a
# period before it ("Ave.") is the abbreviation's, not the end of the sentence. A lone letter
# follows only these streets: "Avenue E" is often a street's whole name.
_COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West",
            "NE": "Northeast", "NW": "Northwest", "SE": "Southeast", "SW": "Southwest"}
_DIAGONAL, _POINT, _AFTER_DIRECTION = r"[NS]\.?[EW]\.?", r"[NSEW]\.?", r"(?=[\s,;:!?)]|$)"
_COMPASS_NEXT = re.compile(rf"[ \t]+(?:{_DIAGONAL}|{_POINT}){_AFTER_DIRECTION}")
_STREET_COMPASS = re.compile(
    r"(?<=\w )(?P<street>(?:Street|Avenue|Road|Boulevard|Drive|Lane|Court|Place|Way|Highway|Parkway|Terrace)[ \t]+)"
    rf"(?P<dir>{_DIAGONAL}|(?<!Avenue ){_POINT}){_AFTER_DIRECTION}")


def _street_compass(m: re.Match) -> str:
    letters = m.group("dir").replace(".", "")
    stop = "." if m.group("dir").endswith(".") and sentence_ends_after(m.string, m.end()) else ""
    return m.group("street") + _COMPASS[letters] + stop


def sentence_ends_after(text: str, end: int) -> bool:
    """Whether the period just before ``end`` also ends the sentence: end of text, a line
    break, or a capitalised word / opening quote next."""
    rest = text[end:]
    return not rest.strip() or rest.startswith("\n") or bool(re.match(r"[ \t]+[\"“'‘(]?[A-Z]", rest))


def abbreviation_ends_sentence(text: str, end: int) -> bool:
    """Whether the period of a trailing abbreviation ("Inc.", "Ave.") just before ``end`` also
    ends the sentence: as :func:`sentence_ends_after`, unless a compass direction or a code
    follows ("Pennsylvania Ave. NW", "ref. KX7R2P", "ref. GB-88213-K")."""
    rest = text[end:]
    return sentence_ends_after(text, end) and not _COMPASS_NEXT.match(rest) and not re.match(r"[ \t]+[A-Z0-9]+(?:-[A-Z0-9]+)*\d", rest)


_REACH = 200  # characters a look at the neighbouring words reads, when they hold two words


def _text_before(text: str, start: int) -> str:
    """The text before ``start``, as far as a look at its last words needs: the last
    :data:`_REACH` characters when they hold two words (so the last word, and what comes before
    it, are whole), else all of it. A look back then costs the same however long the text is."""
    if start <= _REACH:
        return text[:start]
    head = text[start - _REACH:start]
    return head if re.search(r"\S\s+\S", head) else text[:start]


def _text_after(text: str, end: int) -> str:
    """The text after ``end``, as far as a look at its first word needs (see :func:`_text_before`)."""
    if len(text) - end <= _REACH:
        return text[end:]
    tail = text[end:end + _REACH]
    return tail if re.search(r"\S\s+\S", tail) else text[end:]


_LAST_WORD = re.compile(r"([\w'’.-]+)$")


def _prev_word(text: str, start: int) -> tuple[str, bool]:
    """The word before ``start`` and whether it starts its sentence."""
    head = _text_before(text, start).rstrip()
    m = _LAST_WORD.search(head, max(0, len(head) - _REACH))  # a regex search runs forwards: start it near the end
    if m and m.start() == len(head) - _REACH:  # the word may begin further back
        m = _LAST_WORD.search(head)
    if not m:
        return "", True
    word = m.group(1)
    before = head[: m.start()].rstrip()
    at_start = not before or before[-1] in ".!?\n:\"“" or before.endswith(("\n",))
    return word, at_start


# a street's name and type ahead: " Elm Ave.", " 4th St", " Martin Luther King Blvd"
_STREET_AHEAD = re.compile(r"\s+(?:\d+(?:st|nd|rd|th)|[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*){0,2}\s+(?:St|Ave|Rd|Blvd|Dr|Ln|Ct|Pl|"
                           r"Pkwy|Hwy|Way|Street|Avenue|Road|Boulevard|Drive|Lane|Court|Place|Parkway|Highway|"
                           r"Terrace|Circle)\b")


def _abbreviation(m: re.Match) -> str:
    token, text, start, end = m.group(1), m.string, m.start(1), m.end(1)
    rest = text[end:]
    next_word = re.match(r"\s+([\w$£€#'’-]+)", rest)
    nxt = next_word.group(1) if next_word else ""
    prev, prev_at_start = _prev_word(text, start)
    stop = "." if token.endswith(".") and abbreviation_ends_sentence(text, end) else ""

    if token in _PHRASES:
        return _PHRASES[token]
    if token in _BEFORE_NUMBER and re.match(r"\s*\d", rest):
        return _BEFORE_NUMBER[token]
    if token in ("no.", "No.") and prev.lower() in _NUMBERED:  # "your account no. and …"
        return "number" + stop
    if token in ("Dr.", "Dr", "St.", "St"):
        name_before = bool(prev) and (prev[0].isupper() or prev[0].isdigit()) and not prev_at_start \
            and prev.rstrip(".") not in ("Dr", "St", "Mr", "Mrs", "Ms")
        name_before = name_before or bool(re.fullmatch(r"\d+(st|nd|rd|th)?", prev))
        name_after = bool(nxt) and nxt[0].isupper() and not _COMPASS_NEXT.match(rest)
        place, person = ("Drive", "Doctor") if token.startswith("Dr") else ("Street", "Saint")
        if name_before and (stop or not name_after):
            return place + stop  # "on Smith Dr.", "Baker St. Then …"
        if name_after:
            return person  # "Dr. Smith", "St. Louis"
        return place + stop if token.startswith("St") or name_before else person
    if token in ("N.", "S.", "E.", "W.") and re.fullmatch(r"\d+[A-Za-z]?", prev) and _STREET_AHEAD.match(rest):
        return _COMPASS[token[0]]  # "1234 N. Elm Ave.", "12 W. 4th St.": a street's direction after its number
    if token in ("Ave", "Rd") and prev[:1].isupper():
        return {"Ave": "Avenue", "Rd": "Road"}[token]
    if token in _TITLES and (token in _ALWAYS_TITLES or nxt[:1].isupper()):
        return _TITLES[token]
    if token in _WEEKDAYS and (re.match(r"\s*[,;:)]", rest) or re.match(r"\s+(" + _MONTH_RE + r"|\d|[a-z])", rest)):
        return _WEEKDAYS[token]
    if token in _WEEKDAYS and prev.lower() in _BEFORE_WEEKDAY:  # "open on Sat.", "until Wed."
        return _WEEKDAYS[token] + stop
    month = token.rstrip(".").lower()
    if token.endswith(".") and month in _MONTH_ABBR and re.match(r"\s+\d", rest):
        return MONTHS[_MONTH_ABBR[month] - 1]
    if token.endswith(".") and month in _MONTH_ABBR and token[0].isupper() and prev.lower() in _BEFORE_MONTH:
        return MONTHS[_MONTH_ABBR[month] - 1] + stop  # "fell in Apr., down", "since Sept."
    if token in ("c.", "ca.") and re.match(r"\s+\d{3,4}\b", rest):  # "built c. 1150": circa
        return "circa"
    if token == "v" and prev[:1].isupper() and nxt[:1].isupper():  # "Arsenal v Chelsea"
        return "versus"
    if token in ("ext", "tel", "Tel:") and (nxt[:1].isupper() or nxt[:1].isdigit()):  # "ext 214", "Tel: 020 …"
        return {"ext": "extension", "tel": "telephone", "Tel:": "telephone"}[token]
    if token in ("inc", "inc.") and nxt[:1].isupper() and not prev[:1].isupper():  # "£12 inc VAT" (not "Acme inc")
        return "including"
    if token in ("est.", "Est.") and nxt[:1].isdigit():  # "Est. 1887"
        return token[0] + "stablished"
    if token in ("est.", "Est.") and nxt[:1].islower():  # "est. processing time", "Est. cost"
        return token[0] + "stimated"
    if token in ("incl.", "Incl.") and not nxt[:1].isalnum():  # "HOA incl.", "tax incl.)": included
        return token[0] + "ncluded" + stop
    if token in ("wk.", "hr.", "yr.", "mo.") and re.fullmatch(r"\d[\d,]*(?:\.\d+)?", prev) and prev != "1":
        return _TRAILING[token] + "s" + stop  # "over 12 wk."
    if token in _TRAILING:
        return _TRAILING[token] + stop
    return token


_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s+(?=Box\b)")  # "P.O. Box", "PO Box": the letters (misaki says "PO" as "poe")
_FISCAL_YEAR = re.compile(r"\bFY\s?'?(\d{4}|\d{2})\b")


def _fiscal_year(m: re.Match) -> str:
    y = m.group(1)
    return "fiscal year " + (year(int(y)) if len(y) == 4 else two_digit_year(y))


_DOTTED_INITIALISM = re.compile(r"(?<![\w.])((?:[A-Za-z]\.){2,})(?=[\s,;:!?)\"'”’]|$)")


# words that open a sentence and seldom follow an initialism inside one: "… in the U.S. The firm …"
_OPENERS_AFTER_INITIALISM = re.compile(
    r"[ \t]+[\"“(]?(?:The|A|An|This|That|These|Those|It|Its|We|I|You|He|She|They|Our|Your|His|Her|Their|"
    r"There|Here|In|On|At|For|But|And|So|If|When|While|After|Before|Please|What|How|Why|Who|Some|Many|Most|"
    r"All|No|Yes|As|By|From|To|With|Also|However|Meanwhile|Then|Now|Today|Yesterday|Tomorrow|Each|Every|"
    r"One|Two|Three)\b")


def initialism_ends_sentence(text: str, end: int) -> bool:
    """Whether the period of a dotted initialism ("U.S.") just before ``end`` also ends the
    sentence: at the end of the text or a line, or before a word that opens one ("The", "We")."""
    rest = text[end:]
    return not rest.strip() or rest.lstrip(" \t").startswith("\n") or bool(_OPENERS_AFTER_INITIALISM.match(rest))


def dotted_ends_sentence(text: str, end: int, token: str) -> bool:
    """Whether the last period of ``token``, letters with periods ("U.S.", "p.m.") ending at
    ``end``, also ends the sentence; the chunker asks the same (``engines.tts.text``)."""
    if token.replace(".", "").upper() in ("AM", "PM"):
        return _ampm_ends_sentence(text, end)
    return initialism_ends_sentence(text, end)


def _dotted_initialism(m: re.Match) -> str:
    letters = m.group(1).replace(".", "").upper()
    return letters + ("." if dotted_ends_sentence(m.string, m.end(1), m.group(1)) else "")


# symbols (some passes above have already written their number in words: "+12%" is "+twelve percent" here)
_NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b")
# a number already in words, as a whole word ("twelve", "twenty-six", "hundred", "eighteenth")
_NUMBER_WORD_RE = re.compile(r"(?:[a-z]+-)?(?:" + _NUMBER_WORD[3:-3] + r"|first|second|third|fourth|fifth|sixth|seventh|"
                             r"eighth|ninth|tenth|eleventh|twelfth|[a-z]+teenth|[a-z]+ieth)|hundred|thousand|million|billion")
# "u" for "you" (and "r" for "are" after it) in chat, in lower case only ("U" is a letter, "Unit U")
_CHAT_YOU = re.compile(r"(?:(?<=[ \t])|^)u(?P<are>[ \t]+r)?(?=[ \t]|[,!?;:]?$|[,!?;:][ \t])", re.MULTILINE)  # "u." is a list item
# a unit written short with no number before it: "credit hrs per semester", "35 mpg hwy", "tow pkg"
_SHORT_WORDS = re.compile(r"(?<![\w.'’/<@-])(hrs|mins|secs|yrs|hwy|pkg|qty|avg|Qty|Avg)(?![\w'’/>@-]|\.\w)")
_SHORT_WORD = {"hrs": "hours", "mins": "minutes", "secs": "seconds", "yrs": "years", "hwy": "highway", "pkg": "package",
               "qty": "quantity", "avg": "average", "Qty": "Quantity", "Avg": "Average"}
# a word written short before its number: "Rm 4", "Yr 6", "Ep. 214", "Qty 2"
_SHORT_BEFORE_NUMBER = re.compile(r"\b(?:(Yr|yr|Ep|ep|Qty)\.?|(Rm|rm)(?=[ \t]?\d{1,2}\b))(?=[ \t]?\d)")  # "Rm 118", "Rm. 12": below
_SHORT_NAMES = {"rm": "room", "yr": "year", "ep": "episode", "qty": "quantity"}

# chat shorthand a reader says in full (the letters of "FYI", "OMG" and "LOL" are said as letters: left)
_CHAT_WORDS = {"idk": "I don't know", "tbh": "to be honest", "btw": "by the way", "imo": "in my opinion",
               "imho": "in my humble opinion", "brb": "be right back", "thx": "thanks", "pls": "please",
               "plz": "please", "afaik": "as far as I know", "iirc": "if I remember correctly", "lmk": "let me know",
               "omw": "on my way", "ttyl": "talk to you later", "ngl": "not gonna lie", "bday": "birthday",
               "2nite": "tonight", "tonite": "tonight", "2day": "today", "2moro": "tomorrow", "tmrw": "tomorrow",
               "obo": "or best offer", "m8": "mate", "gr8": "great", "l8r": "later", "b4": "before", "w8": "wait",
               "c u": "see you", "cu l8r": "see you later"}
_CHAT = re.compile(r"(?<![\w.@/-])(" + "|".join(sorted(_CHAT_WORDS, key=len, reverse=True)) + r")(?![\w@/-]|\.\w)", re.IGNORECASE)


_OPENS_SENTENCE = re.compile(r"(?:\A|[.!?])\s*\Z")


def _chat(m: re.Match) -> str:
    if m.group(1) == "IMO":
        return m.group(1)  # in capitals it is as often the International Maritime Organization: letters
    if re.search(r"\d", m.group(1)) and not m.group(1).islower():
        return m.group(1)  # "B4" is a paper size, "M8" a bolt
    words = _CHAT_WORDS[m.group(1).lower()]
    if not m.group(1)[0].isupper():
        return words
    before = m.string[max(0, m.start() - 40): m.start()]  # a bounded look back: linear in the text
    opens = _OPENS_SENTENCE.search(before) if m.start() <= 40 or before.strip() else None
    return words[0].upper() + words[1:] if opens else words


_PERIODS = {"y": "year", "q": "quarter", "m": "month"}  # "y/y", "q/q": year on year, quarter on quarter

# chemical formulas said letter by letter with their numbers: "CO2" is "C O two"
_FORMULAS = {"CO2": "C O two", "H2O": "H two O", "O2": "O two", "NO2": "N O two", "SO2": "S O two",
             "CH4": "C H four", "N2O": "N two O", "O3": "O three", "H2": "H two", "NOx": "N O x", "PM2.5": "P M two point five"}
_FORMULA = re.compile(r"(?<![\w.])(" + "|".join(re.escape(f) for f in sorted(_FORMULAS, key=len, reverse=True)) + r")(?![\w]|\.\d)")

# "<" and ">" before a number, unless they are a tag's ("<code>0</code>", "func<5>", "<a id=…>")
_COMPARISON = re.compile(r"(?<![<>=-])\s*(?P<sign>[<>])\s*(?=\d|\.\d|[-−]\d|minus |" + _NUMBER_WORD + r")")


def _comparison(m: re.Match) -> str:
    if m.group("sign") == ">" and re.search(r"<[A-Za-z/!][^<>]*$", _text_before(m.string, m.start())[-80:]):
        return m.group(0)  # closes a tag
    if m.group("sign") == "<" and re.match(r"[^<>\s]*>", m.string[m.end():m.end() + 80]):
        return m.group(0)  # opens one
    return " less than " if m.group("sign") == "<" else " greater than "


_CAMEL = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z]{2})")  # "#GivingTuesday" is said "Giving Tuesday"

_SYMBOLS = [
    (re.compile(r"\bCtrl\+"), "Control "), (re.compile(r"\bCmd\+"), "Command "),
    (re.compile(r"\b(Alt|Shift|Option|Fn|Win)\+(?=\w)"), r"\1 "),
    (re.compile(r"(?<=Control )Del\b|(?<=Alt )Del\b|\bDel(?= key\b)"), "Delete"),
    (re.compile(r"\s*(?:>=|≥)\s*"), " at least "), (re.compile(r"\s*(?:<=|≤)\s*"), " at most "),
    (re.compile(r"(?<![\w+])([A-F])\+(?![\w+])"), r"\1 plus"),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(?<=\w)\+\+"), " plus plus"),
    (re.compile(r"(?<![\w+])\+(?=\d|" + _NUMBER_WORD + r")"), "plus "),
    # "16+", "1900+" (already "nineteen hundred+"), "Disney+", "GTK+"; not a pattern's "\w+" or "(a+)"
    (re.compile(r"(?<![\\\w.,])(?P<w>\d[\d.,]*|[A-Z]\w*|[a-z]\w+)\+(?![\w+])"), r"\g<w> plus"),
    (re.compile(r"\s+\+\s+"), " plus "),
    (re.compile(r"\s+=\s+"), " equals "),
    (re.compile(r"\s+[×x]\s+(?=\d|" + _NUMBER_WORD + r")"), " times "),
    (re.compile(r"(?<![\w#])#(?=\d)"), "number "),
    (re.compile(r"(?<=\w )#(?=[\s,.;:!?)]|$)"), "number"),  # "your order # in the subject"
    (re.compile(r"\s*±\s*"), " plus or minus "),
    (re.compile(r"\s*≈\s*"), " approximately "),
    (re.compile(r"§§\s?"), "sections "),
    # an en dash left between numbers already in words is a range ("3.75%–4%"); between names it
    # is not ("the Mexico–US border")
    (re.compile(r"\b(?P<l>[a-z]+)\s?–\s?(?P<r>[a-z]+)\b"),
     lambda m: f"{m.group('l')} to {m.group('r')}" if _NUMBER_WORD_RE.fullmatch(m.group("r"))
     and (m.group("l") == "percent" or _NUMBER_WORD_RE.fullmatch(m.group("l"))) else m.group(0)),
    (re.compile(r"(?<![\w<])(?:[:;]-?[)(DP]|<3)(?![\w)])"), " "),  # emoticons: ":)", ";-)", "<3"
    (_COMPARISON, _comparison),  # "p < 0.01"; after "<3"
    (re.compile(r"\s*÷\s*"), " divided by "),
    (re.compile(r"\s*→\s*(?=\w)|(?<=\w)\s+->\s+(?=\w)"), " to "),  # "London → Paris", "Settings -> System" (not "a->b")
    (re.compile(r"(?<=[a-z\d])\s?×\s?(?=[a-z\d])"), " times "),  # "3×10^8": what is left of it once the numbers are words
    (re.compile(r"\blocalhost:(?=\d)"), "localhost colon "),
    (re.compile(r"(?<=[a-z] )mmHg\b"), "millimeters of mercury"),
    (re.compile(r"(?<![\w/])([yqm])/\1(?![\w/])", re.IGNORECASE), lambda m: "{0} on {0}".format(_PERIODS[m.group(1).lower()])),
    (re.compile(r"\b(YoY|MoM|QoQ)\b"), lambda m: "{0} over {0}".format(_PERIODS[m.group(1)[0].lower()])),
    (re.compile(r"№\s?"), "number "),
    (re.compile(r"(?<=\w)²"), " squared"), (re.compile(r"(?<=\w)³"), " cubed"),
    (re.compile(r"(?<![\w#])#([A-Za-z]\w*)"), lambda m: "hashtag " + _CAMEL.sub(" ", m.group(1))),
    (re.compile(r"(?<![\w@])@(\w+)"), lambda m: "at " + _CAMEL.sub(" ", m.group(1))),
    (re.compile(r"\s+@\s+"), " at "),
    (re.compile(r"(?<![\w/])~\s?(?=\d|" + _NUMBER_WORD + r")"), "about "),  # digits, or a number already in words
    (re.compile(r"§\s?"), "section "),
    (re.compile(r"[™®]"), ""),
    (re.compile(r"©\s?"), "copyright "),
    (re.compile(r"\s*%"), " percent"),
    (re.compile(r"\band/or\b"), "and or"),
    (re.compile(r"(?<![\w/])([A-Z])/(?=[A-Z](?![\w]))"), r"\1 "),  # "A/B test", "I/O": the letters
    (re.compile(r"(?<=[A-Za-z])/(?=[A-Za-z])"), " slash "),
]


# a temperature written without its degree sign after a word that leads to one: "reach 30C", "highs of 86F"
_BARE_DEGREES = re.compile(r"\b(?P<lead>(?:reach|reached|reaching|hit|hits|to|of|at|around|about|near|high|low|highs|lows|"
                           r"minus|below|above|between|and|than|a) )(?P<neg>[-−])?(?P<num>\d{1,3})(?P<unit>[CF])\b(?![\w-])")


def _bare_degrees(m: re.Match) -> str:
    words = cardinal(int(m.group("num")))
    scale = "Celsius" if m.group("unit") == "C" else "Fahrenheit"
    sign = "minus " if m.group("neg") else ""
    return f"{m.group('lead')}{sign}{words} degree{'s' * (words != 'one')} {scale}"


# a calibre: "a .38 caliber revolver" → thirty-eight caliber
_CALIBER = re.compile(r"(?<![\w.])\.(\d{2,3})(?=[ -]?(?:caliber|calibre|cal\b))")
# pence: "a 10p rise", "50p coins" (two digits at most: "1080p" is a video resolution)
_PENCE = re.compile(r"(?<![\w.,£])(\d{1,2})p\b(?![\w-]|\.m)")

# team names with a number: "49ers", "76ers"
_NUMBER_ERS = re.compile(r"(?<![\w.,])(\d{1,3})ers\b")


def _number_ers(m: re.Match) -> str:
    words = cardinal(int(m.group(1)))
    return words + ("rs" if words.endswith("e") else "ers")


# magnitudes written after a bare number: 1.5M, 100k, 2.3bn (money has its own pass above)
_NUM_MAGNITUDE = re.compile(
    r"(?<![\w.,])(?P<num>" + _NUM + r")(?:\s?(?P<word>bn|mn|tn)|(?P<mag>bn|mn|tn|[kKMB]))(?![A-Za-z0-9])")


# words before a place's number, whose letter is a letter ("Seat 12B", "Gate 4M"), not millions
_PLACES = {"seat", "row", "gate", "exit", "apt", "apartment", "flat", "unit", "suite", "ste", "room", "rm", "platform",
           "terminal", "bay", "stand", "block", "building", "bldg", "floor", "level", "door", "locker", "box", "bus",
           "route", "form", "cabin", "berth", "pier", "dock", "lot", "space", "stall", "page", "figure", "fig", "table"}


def pairs(n: int) -> str:
    """A three- or four-digit name read in pairs, as rooms, flights, roads, codes and houses are:
    ``214`` → "two fourteen", ``902`` → "nine oh two", ``300`` → "three hundred", ``1204`` →
    "twelve oh four", ``8080`` → "eighty eighty", ``2100`` → "twenty-one hundred"; ``3000`` and
    ``2005`` as numbers."""
    high, low = divmod(n, 100)
    if n >= 1000 and high % 10 == 0 and low < 10:
        return cardinal(n)
    return _halves(high, low)


# an HTTP status before what it names: "a 404 error" (four oh four), "the 503 page", "500 errors"
_STATUS_CODE = re.compile(r"(?<![\w.,$£€-])(4(?:0\d|1[0-8]|2[1-9]|31|51)|50\d|51[01])(?=[ \t]+(?:errors?|pages?|status|responses?)\b)")  # not "450 errors"

# a number before these is a count, not a name read in pairs: "Building 250 homes took years",
# "NASA 250 scientists", "the EU 750 billion fund"
_A_COUNT = (r"(?!\s+(?:people|employees|workers|staff|members|jobs|students|scientists|agents|officers|troops|soldiers|"
            r"cases|deaths|homes|houses|schools|stores|new|more|other|of|miles|points|years|days|times|thousand|million|"
            r"billion|trillion|percent|dollars|euros|pounds)\b)")
# the number of a room, flight, road or aircraft model: "Room 214", "Flight 902", "Highway 101",
# "I-405", "Boeing 737"; and a house number before its street: "412 Oak Ave.", "221 W. 57th St."
_NAMED_NUMBER = re.compile(
    r"(?P<head>\b(?:[Ff]light[ \t][A-Z0-9]{2}(?=[ \t]?\d)|[Rr]oom|Rm\.?|[Ss]uite|[Ff]light|Box|[Hh]ighway|[Rr]oute|Rte\.|[Ii]nterstate|I-|[Gg]ate|[Bb]us|[Aa]partment|"
    r"[Uu]nit|[Bb]uilding|[Tt]erminal|[Ss]tudio|[Pp]ier|[Cc]hannel|[Ss]ection|[Ee]xit|[Pp]latform|[Ll]ocker|[Cc]abin|"
    r"[Bb]erth|Boeing|Airbus A|[Ee]rror|HTTP|[Pp]ort|[Bb]uild|Form|[A-Z]-)[ \t]?)(?P<num>\d{3,4})(?![\w.,]\d|\d|[\w%°-])"
    + _A_COUNT)
# a course or model code: "CHEM 101", "CS 229" (a word in capitals, then three digits)
_CAPS_CODE = re.compile(r"\b(?P<head>[A-Z]{2,5}[ \t])(?P<num>[1-9]\d{2,3})(?![\w.,]\d|\d|[\w%°/-])" + _A_COUNT)  # "RTX 3090"
_HOUSE_NUMBER = re.compile(r"(?<![\w.,$£€-])(?P<num>\d{3})(?=(?:\s+(?:North|South|East|West|[NSEW]\.?))?" + _STREET_AHEAD.pattern + ")")


def _num_magnitude(m: re.Match) -> str:
    num, mag = m.group("num"), m.group("mag") or m.group("word")
    if mag in "MB" and "." not in num and (len(num) < 2 or not re.match(r"\s+[a-z]", m.string[m.end():])
                                           or _prev_word(m.string, m.start())[0].lower().rstrip(".") in _PLACES):
        return m.group(0)  # "3M", "221B Baker Street", "exit 42B": a name, a flat or a seat, not millions
        # ("1.5B", "70B parameters", "50M users" are)
    return f"{number(num)} {_MAGNITUDES[mag]}"


# a 24-hour time written as four digits: "0800 hours", "at 0830", "by 1800 hours" (not "2000 hours of video")
_MILITARY_TIME = re.compile(r"(?:(?<=\bat )|(?<=\bby )|(?<=\buntil )|(?<=\bfrom )|(?<=\bbefore )|(?<=\bafter )|(?<!\d)(?=0))"
                            r"(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?=\s+hours\b)|(?<=\b(?:at|by) )(?P<h2>0\d)(?P<m2>[0-5]\d)\b(?![\w.,:]\d)")


def _military_time(m: re.Match) -> str:
    h, mi = (m.group("h"), m.group("m")) if m.group("h") else (m.group("h2"), m.group("m2"))
    return ("oh " if h.startswith("0") else "") + _halves(int(h), int(mi))


# school grades "K-8", "K–12": K through eight
_GRADES = re.compile(r"\b(?:Pre-)?K[-–](?!9\b)(\d{1,2})\b")  # not "a K-9 unit" (a police dog)
# letters around an ampersand are said as letters: "AT&T", "R&D", "S&P 500"
_LETTERS_AND = re.compile(r"\b([A-Z]{1,3})&([A-Z]{1,3})\b")
# a compass letter before a numbered street: "W. 42nd St." → West 42nd St.
_COMPASS_BEFORE_STREET = re.compile(r"\b([NSEW])\.?(?=\s+\d+(?:st|nd|rd|th)\s+(?:St|Street|Ave|Avenue|Rd|Road|Pl|Place|Dr|Drive)\b)")
# "No 10" (a number, British style without the dot), not at the start of a sentence
_NO_NUMBER = re.compile(r"(?<=[\w,] )No(?=\s\d)")
# a UK postcode: "SW1A 2AA" → letters and digits one by one
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s(\d[A-Z]{2})\b")


def _postcode(m: re.Match) -> str:
    return f"{spell(m.group(1))}, {spell(m.group(2))}"


# a number with lettered or numbered parts in brackets: "401(k)", "12(b)(6)", "§ 501(c)(3)"
_PARTS = re.compile(r"(?<![\w.])(?P<num>\d{1,4})(?P<parts>(?:\([a-z0-9]{1,3}\))+)(?![\w(])")


def _parts(m: re.Match) -> str:
    n = m.group("num")
    head = pairs(int(n)) if len(n) >= 3 else cardinal(int(n))
    parts = re.findall(r"\(([a-z0-9]+)\)", m.group("parts"))
    return " ".join([head] + [cardinal(int(p)) if p.isdigit() else p for p in parts])


# powers: "10^23", "3.0 × 10^8"
_POWER = re.compile(r"(?<![\w.])(?P<base>\d+)\^(?P<neg>[-−])?(?P<exp>\d{1,3})(?!\d|\.\d)"
                    r"(?:\s?(?P<unit>" + _UNIT_RE + r")" + _UNIT_AFTER + r")?")


def _power(m: re.Match) -> str:
    exp = int(m.group("exp"))
    power = f"minus {cardinal(exp)}" if m.group("neg") else ordinal(exp) if exp != 2 else "second"
    unit = f" {UNITS[m.group('unit')][1]}" if m.group("unit") else ""
    return f"{cardinal(int(m.group('base')))} to the {power}{unit}"


# durations written h:mm:ss ("finished in 2:31:04")
_HMS = re.compile(r"(?<![\d:.,])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\d:]|[.,]\d)")


# a duration written compactly: "3h 15m", "1h30m", "2h 5min 10s" (the "m" is minutes, never meters)
_COMPACT_DURATION = re.compile(r"(?<![\w.])(\d{1,3})\s?h(?:rs?)?\s?(\d{1,2})\s?m(?:in|ins)?(?:\s?(\d{1,2})\s?s(?:ec|ecs)?)?\b(?!['’]\w)")


# minutes and seconds written short: "1 min 12 s" ("s" alone is read only here)
_MIN_SEC = re.compile(r"(?<![\w.])(\d{1,3})\s?min(?:s|utes?)?\.?\s(\d{1,2})\s?s(?:ecs?|econds?)?\b(?!['’]\w)")


def _duration(m: re.Match, hours: str | None, minutes: str | None, seconds: str | None) -> str:
    """"two hours thirty-one minutes and four seconds"; a zero part is left out."""
    parts = [(int(n), unit) for n, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second")) if n is not None]
    words = [f"{cardinal(n)} {unit}{'s' * (n != 1)}" for n, unit in parts if n]
    if not words:
        return m.group(0)
    return " and ".join(words) if len(words) < 3 else f"{words[0]} {words[1]} and {words[2]}"


def _hms(m: re.Match) -> str:
    before = _text_before(m.string, m.start()).split()
    if before and before[-1].lower() in ("at", "by", "until", "till", "before", "after", "since"):
        h, mi, sec = (int(g) for g in m.groups())  # a clock time to the second: "at 10:15:30"
        if h <= 24:
            return f"{_clock_words(h, mi)} and {cardinal(sec)} second{'s' * (sec != 1)}"
    return _duration(m, *m.groups())


# heights in feet and inches: 5'11", 6′ 2″
_FEET_INCHES = re.compile(r"(?<![\w.])(\d{1,2})\s?(?:['’′]\s?(\d{1,2})\s?(?:[\"”″]|'')|ft\.?\s(\d{1,2})\s?in\b\.?(?=\s+[a-z]|[,;:!?)]|\s*$))")


def _feet_inches(m: re.Match) -> str:
    return f"{cardinal(int(m.group(1)))} foot {cardinal(int(m.group(2) or m.group(3)))}"


# inches written with a double prime, or a double quote before a measure ("36\" wide", "a 55\" TV")
_INCHES = re.compile(r"(?<![\w.])(?:(?P<low>" + _NUM + r")\s?[–-]\s?)?(?P<num>" + _NUM + r")\s?(?:″|[\"”](?=\s*(?:[x×]\s?\d|(?:wide|tall|long|high|deep|thick|"
                     r"across|diagonal|by|screen|TV|monitor|display|laptop|wheels?|tires?|tyres?|pipe|board|of)\b)))")  # "8-12\" of snow"


def _inches(m: re.Match) -> str:
    one = _attributive(m) or re.fullmatch(r"1(\.0+)?", m.group("num")) and not m.group("low")
    low = f"{number(m.group('low'))} to " if m.group("low") else ""
    return f"{low}{number(m.group('num'))} inch{'' if one else 'es'}"


# hexadecimal: 0x80070005 (hex eight zero zero seven …)
_HEX = re.compile(r"(?<![\w.])0x(?P<hex>[0-9A-Fa-f]+)(?![\w.])")


def _hex(m: re.Match) -> str:
    return "hex " + spell(m.group("hex").upper())


# a two-digit year after an apostrophe: "the summer of '69", "class of '05"
_SHORT_YEAR = re.compile(r"(?<![\w'’])['’](?P<yy>\d{2})(?![\w'’])")


def _short_year(m: re.Match) -> str:
    return two_digit_year(m.group("yy"))


# version numbers: v2.1, v3, V2 (but "a V6", "V8", "V10", "V12" are engines: the letter)
_VERSION = re.compile(r"(?<![\w.])[vV](?!(?<=V)(?:6|8|10|12)(?![\w.]))(\d+(?:\.\d+)*)(?P<suffix>(?<=\.\d)[a-z])?(?![\w.]\w|\w)")


def _version(m: re.Match) -> str:
    return "version " + " point ".join(cardinal(int(p)) if not re.fullmatch(r"0\d+", p) else digits(p)
                                       for p in m.group(1).split(".")) + (f" {m.group('suffix')}" if m.group("suffix") else "")


# numbers of three or four dotted parts: a version ("3.11.2": three point eleven point two) or an
# IP address ("192.168.1.1": one ninety-two dot …, read as its parts); a date's four-digit year
# ("04.07.1986") is left to the date and number passes
_DOTTED_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){2,3}(?![\w.]\w|\w|\.\d)")


def _dotted_number(m: re.Match) -> str:
    parts = m.group(0).split(".")
    joiner = " dot " if len(parts) == 4 else " point "
    return joiner.join(cardinal(int(p)) if not re.fullmatch(r"0\d+", p) else digits(p) for p in parts)


# ranges of weekdays or months written short: Mon.–Fri., Mon-Sat, Jan–Mar
_DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "tues": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
              "thur": "Thursday", "thurs": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
_SPAN_NAME = (r"(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
              r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)")
_NAME_SPAN = re.compile(r"\b(" + _SPAN_NAME + r")(\.?)\s?[–—-]\s?(" + _SPAN_NAME + r")(\.?)(?![\w-])")


def _full_name(short: str) -> str:
    key = short.lower()
    return _DAY_NAMES.get(key) or (MONTHS[_MONTH_ABBR[key] - 1] if key in _MONTH_ABBR else short)


def _name_span(m: re.Match) -> str:
    a, b = m.group(1), m.group(3)
    if (a.lower() in _DAY_NAMES or a.endswith("day")) != (b.lower() in _DAY_NAMES or b.endswith("day")):
        return m.group(0)  # a weekday and a month: not a span
    stop = "." if m.group(4) and sentence_ends_after(m.string, m.end()) else ""
    return f"{_full_name(a)} to {_full_name(b)}{stop}"


# times ranges sharing a.m./p.m.: 3-5 p.m., 9:30–11 am, 9am–5pm
_TIME_SPAN = re.compile(
    r"(?<![\d:.,])(?P<a>\d{1,2})(?::(?P<am>[0-5]\d))?(?:\s?(?P<ap1>[aApP])\.?\s?[mM]\.?)?\s?[–—-]\s?"
    r"(?P<b>\d{1,2})(?::(?P<bm>[0-5]\d))?\s?" + _AMPM)


def _clock_words(h: int, mi: int) -> str:
    return cardinal(h) if mi == 0 else _halves(h, mi)


def _time_span(m: re.Match) -> str:
    a, b = int(m.group("a")), int(m.group("b"))
    if not (1 <= a <= 12 and 1 <= b <= 12):
        return m.group(0)
    first = _clock_words(a, int(m.group("am") or 0))
    if m.group("ap1"):
        first += " AM" if m.group("ap1") in "aA" else " PM"
    ampm, stop = _ampm_words(m)
    return f"{first} to {_clock_words(b, int(m.group('bm') or 0))}{ampm}{stop}"


# dimensions: 55 x 40 x 20 cm, 1920x1080, 4 × 6 inches
_DIMENSIONS = re.compile(
    r"(?<![\w.,])(?P<a>" + _NUM + r")(?P<s1>\s?)[x×](?P<s2>\s?)(?P<b>" + _NUM + r")"
    r"(?:\s?[x×]\s?(?P<c>" + _NUM + r"))?(?![\w.,]\d|\d)"
    r"(?P<inch>\s?in(?:(?P<dot>\.)(?=\s|$)|(?=\s*$|[,;:!?)]|\s+[A-Z]|\s+(?:wide|tall|long|high|deep)\b)))?")
_LENGTHS = {"mm", "cm", "m", "km", "in", "inch", "inches", "ft", "foot", "feet", "yd", "yards", "px", "pixels",
            "meters", "metres", "centimeters", "centimetres", "millimeters", "millimetres"}


def _dimensions(m: re.Match) -> str:
    after = _text_after(m.string, m.end()).split()
    unit = after[0].strip(",.;:!?)").lower() if after else ""
    tight = not m.group("s1") and not m.group("s2")
    if not (m.group("inch") or m.group("c") or unit in _LENGTHS or tight):  # "1920x1080", "a 4x4"
        return m.group(0)
    sides = " by ".join(g for g in (m.group("a"), m.group("b"), m.group("c")) if g)
    if m.group("inch"):  # "12 x 8 x 4 in.": the dot may end the sentence too
        return sides + " inches" + ("." if m.group("dot") and sentence_ends_after(m.string, m.end()) else "")
    return sides


# codes read digit by digit: three or more hyphenated groups (ISBN 978-0-14-044913-6), numbers
# of five digits or more after "number", "No.", "#", "account" … (any length after "PIN", "ZIP",
# "code", "serial"), and ZIP codes after ", <state>"
_DIGIT_GROUPS = re.compile(r"(?<![\w.,-])\d+(?:-\d+){2,}(?![\w-]|[.,]\d)")
_CODE_WORDS = (r"(?:number|No\.|no\.|account|ticket|reference|ref\.?|confirmation|booking|tracking|invoice|code|PIN|ZIP|"
               r"policy|case|serial|extension|ending in|ending with|ends in)")
_CODE_NUMBER = re.compile(r"(?P<head>\b" + _CODE_WORDS + r"(?:\s(?:is|as|was|:))?\s?|(?<![\w#])#)(?P<num>\d{3,}|\d+(?:-\d+)+)(?![\w.,]\d|\d|-\d)")
_ZIP = re.compile(r"(?<=,\s)(?P<state>[A-Z]{2})\s(?P<zip>\d{5})(?:-(?P<plus4>\d{4}))?(?!\d|[.,]\d)")


def _code_number(m: re.Match) -> str:
    head = m.group("head")
    if re.match(r"(?:ZIP|PIN|code|serial|extension|end)", head) is None and len(m.group("num")) < 5:
        if head == "#":
            return "number " + m.group("num")  # "issue #4512": a number, not a hashtag
        return m.group(0)  # "No. 1500", "order 2024" stay numbers; five digits or more are codes
    head = "number " if head.strip() in ("#", "No.", "no.") else head
    return head + _grouped_digits(m.group("num"))


_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}


def _zip(m: re.Match) -> str:
    """"Dayton, OH 45401": the state's name (its postal code said as letters, "OH" as "oh", is
    wrong), then the ZIP code digit by digit."""
    plus4 = ", " + digits(m.group("plus4")) if m.group("plus4") else ""
    return f"{_STATES.get(m.group('state'), m.group('state'))} {digits(m.group('zip'))}{plus4}"


# Roman numerals: "Chapter IV" (a number), "Henry VIII" (a regnal ordinal)
_ROMAN = re.compile(r"(?<![\w'’.-])([IVXLC]+)(?![\w-]|\.\w)")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_COUNTED = {"chapter", "part", "book", "volume", "vol.", "act", "scene", "war", "phase", "stage", "level",
                  "type", "class", "category", "title", "article", "appendix", "section", "episode", "season",
                  "round", "grade", "tier", "mark", "mk", "canto", "psalm", "bowl", "series", "division", "league",
                  "vatican", "apollo", "schedule", "annex", "figure", "table", "plate", "unit", "lesson", "step"}
_SENTENCE_OPENERS = {"the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "our", "their",
                     "its", "no", "so", "then", "and", "but", "or", "if", "when", "with", "start", "give", "use",
                     "need", "get", "insert", "place", "remove", "stop", "check", "see", "try", "take", "add"}
_PREPOSITIONS = {"in", "at", "on", "from", "to", "for", "with", "near", "after", "before", "during", "since", "by",
                 "of", "into", "across", "over", "about", "around", "like"}


# words before a name that speak to that person ("Thanks Mike", "tell Mike"), and verbs only "I"
# takes ("I think", "I don't"): "Mike I …" is then the pronoun, not Mike the First
_ADDRESSING = {"thanks", "thank", "thx", "sorry", "hi", "hey", "hello", "ok", "okay", "dear", "yes", "yeah", "no",
               "well", "oh", "tell", "ask", "told", "asked", "congrats", "cheers", "bye", "morning", "night", "sure"}
_FIRST_PERSON_VERBS = ("am", "[’']m", "do", "don[’']t", "didn[’']t", "can", "can[’']t", "cannot", "could", "couldn[’']t",
                       "will", "won[’']t", "would", "wouldn[’']t", "should", "have", "haven[’']t", "think", "know",
                       "guess", "hope", "need", "want", "mean", "feel", "appreciate", "just", "really", "agree",
                       "believe", "wish", "promise", "swear", "owe", "love", "hate", "bet", "suppose")


def _roman_value(s: str) -> int | None:
    """"XIV" → 14; None unless ``s`` is a Roman numeral written the usual way."""
    values = [_ROMAN_VALUES[c] for c in s]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    rest, canonical = total, ""
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, rest = divmod(rest, value)
        canonical += numeral * count
    return total if canonical == s and total > 0 else None


def _roman(m: re.Match) -> str:
    numeral = m.group(1)
    n = _roman_value(numeral)
    if n is None:
        return numeral
    head = _text_before(m.string, m.start())
    words = re.findall(r"[\w'’.-]+", head[-60:])
    prev = words[-1] if words else ""
    if prev.lower() in _ROMAN_COUNTED and re.search(r"[\w.]\s+$", head) and (numeral != "I" or prev[:1].isupper()):
        return cardinal(n)
    prev_word, at_start = _prev_word(m.string, m.start())
    # a capitalised word opening a sentence is a name before II and up ("Henry VIII married"),
    # unless it is a word any sentence may open with ("The IV line", "Start IV fluids")
    initial_ok = numeral != "I" and prev_word.lower() not in _SENTENCE_OPENERS
    is_name = bool(re.fullmatch(r"[A-Z][a-z]+", prev_word)) and (not at_start or initial_ok) \
        and re.search(r"[A-Za-z]\s$", head) \
        and prev_word.lower() not in _MONTH_NAMES and prev_word not in ("Monday", "Tuesday", "Wednesday", "Thursday",
                                                                          "Friday", "Saturday", "Sunday")
    if not is_name or n > 39 or set(numeral) - set("IVX") or numeral in ("V", "X"):
        return numeral
    if numeral == "I":
        rest = m.string[m.end():]
        # a king's "I" often ends a phrase ("Charles I, who", "Louis I of Portugal", "Henry I's");
        # before a verb it is the pronoun when a person is spoken to ("Thanks Mike I appreciate
        # it", "tell Mike I don't") or the verb is one only "I" takes ("Tom I think")
        regnal = re.match(r"\s*(?:[,.;:!?)(]|$)|['’]s\b|\s+(?:of|and)\b", rest)
        addressed = len(words) >= 2 and words[-2].lower().strip(",") in _ADDRESSING | _PREPOSITIONS  # "In Paris I met"
        first_person = re.match(r"\s+(?:" + "|".join(_FIRST_PERSON_VERBS) + r")(?![\w'’])", rest)
        contracted = re.match(r"['’](?:m|d|ve|ll)\b", rest)  # "When I'm in"
        pronoun = contracted or not regnal and (addressed or first_person)
        if pronoun:
            return numeral
    return f"the {ordinal(n)}"


def outside_spans(text: str, fn) -> str:
    """Apply ``fn`` to the parts of ``text`` outside ``[word](/phonemes/)`` spans."""
    out, last = [], 0
    for m in PHONEME_SPAN.finditer(text):
        out += [fn(text[last:m.start()]), m.group(0)]
        last = m.end()
    out.append(fn(text[last:]))
    return "".join(out)


# a file's extension after a space: "importing .csv files" (dot C S V; a few are said as words)
_EXTENSION = re.compile(r"(?<=[\s(])\.([a-z][a-z0-9_-]+)(?=[\s,;:!?)]|\.(?:\s|$)|$)")  # and a hidden file's name: ".bashrc"
_EXTENSION_WORDS = {"zip", "json", "yaml", "toml", "jpeg", "gif", "wav", "tar", "rar", "exe"}
# a tax or school year: "2025/26" (twenty twenty-five to twenty-six), "2025/2026"
_YEAR_SPAN = re.compile(r"(?<![\w/.])((?:19|20)\d\d)/(\d\d|(?:19|20)\d\d)(?![\w/]|\.\d)")
# a reference with a slash: "ref. 2026/0417", "case 12/00345" (a fraction or a date has short parts)
_SLASH_NUMBER = re.compile(r"(?<![\w/.])(\d+)/(\d+)(?![\w/]|\.\d)")


def _year_span(m: re.Match) -> str:
    first, second = int(m.group(1)), m.group(2)
    if len(second) == 2 and int(second) != (first + 1) % 100 or len(second) == 4 and int(second) != first + 1:
        return m.group(0)
    return f"{year(first)} to {two_digit_year(second) if len(second) == 2 else year(int(second))}"


def _slash_number(m: re.Match) -> str:
    a, b = m.group(1), m.group(2)
    if max(len(a), len(b)) < 4 and not (a.startswith("0") or b.startswith("0")):
        return m.group(0)
    def part(digits_: str) -> str:
        return year(int(digits_)) if re.fullmatch(r"(?:19|20)\d\d", digits_) else number(digits_)
    return f"{part(a)} slash {part(b)}"


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")

_PASSES = [
    # a power written with superscripts is one written with a caret ("10⁹" is "10^9"); subscripts are
    # a formula's digits ("CO₂" is "CO2")
    (re.compile(r"(?<=\d)[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"), lambda m: "^" + m.group(0).translate(_SUPERSCRIPT)),
    (re.compile(r"(?<=[A-Za-z)])[₀₁₂₃₄₅₆₇₈₉]+"), lambda m: m.group(0).translate(_SUBSCRIPT)),
    (re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2})T(?=\d{2}:\d{2})"), r"\1, "),  # ISO date and time: "2004-02-29T16:21"
    (_FORMULA, lambda m: _FORMULAS[m.group(1)]),
    (_EXTENSION, lambda m: "dot " + (m.group(1) if m.group(1) in _EXTENSION_WORDS or len(m.group(1)) > 4 else m.group(1).upper())),
    (re.compile(r"\b([Nn]o|[Nn]os)\.(?=\d)"), lambda m: m.group(1).lower().replace("no", "number") + " "),  # "No.1"
    (re.compile(r"(?<![\w.])\d{1,3}(?:_\d{3})+(?!\w|\.\d)"), lambda m: m.group(0).replace("_", ",")),  # "1_000_000"
    (_CHAT, _chat),  # before web addresses: "btw.example.com" is a host, not chat
    (_CHAT_YOU, lambda m: "you are" if m.group("are") else "you"),
    (_SHORT_WORDS, lambda m: _SHORT_WORD[m.group(1)]),
    (_SHORT_BEFORE_NUMBER, lambda m: (str.capitalize if m.group(0)[0].isupper() else str)(_SHORT_NAMES[m.group(0).rstrip(".").lower()]) + " "),
    (re.compile(r"(?<=[a-z] )[x×][ \t]?(?=\d{1,3}[ \t]+(?:days?|weeks?|months?)\b)"), "for "),  # a course of a drug: "every 8 h x 10 days"  # before web addresses too: "/pkg/", "pkg-team@"
    (re.compile(r"(?<=\d)(\s?(?:bd|br|bdrm|BR))\s?/\s?(?=\d(?:\.\d)?\s?(?:ba|BA)\b)"), r"\1, "),  # "3 bd/2 ba", "3BR/2BA"
    (_EMAIL, _email),
    (_URL_SCHEME, _url),
    (_URL, _url),
    (_PER_UNIT, _per_unit),
    (_PO_BOX, "P O "),
    (_DOTTED_CLOCK, lambda m: f"{m.group('h')}:{m.group('m')}"),
    (_GRADES, lambda m: "K through " + cardinal(int(m.group(1)))),
    (_LETTERS_AND, lambda m: " ".join(m.group(1)) + " and " + " ".join(m.group(2))),
    (_COMPASS_BEFORE_STREET, lambda m: _COMPASS[m.group(1)]),
    (_NO_NUMBER, "Number"),
    (_POSTCODE, _postcode),
    (_NUMBER_ERS, _number_ers),
    (_CALIBER, lambda m: cardinal(int(m.group(1)))),
    (_PENCE, lambda m: "one penny" if m.group(1) == "1" else f"{cardinal(int(m.group(1)))} pence"),
    (_BARE_DEGREES, _bare_degrees),
    (_WEEKDAY_BEFORE_DATE, lambda m: _DAY_NAMES[m.group(1).lower()]
     + (" the" if re.match(r",?\s+\d{1,2}(?:st|nd|rd|th)\b(?!\s+" + _MONTH_RE + ")", m.string[m.end():]) else "")),
    (_WEEKDAY_SHORT, lambda m: m.group("lead") + _DAY_NAMES[m.group("day").lower()]),
    (_POWER, _power),
    (_PARTS, _parts),
    (_MILITARY_TIME, _military_time),
    (_FISCAL_YEAR, _fiscal_year),
    (_HEX, _hex),
    (_VERSION, _version),
    (_DOTTED_NUMBER, _dotted_number),
    (_NAME_SPAN, _name_span),
    (_ABBR_TOKEN, _abbreviation),
    (_ROMAN, _roman),
    (_STREET_COMPASS, _street_compass),
    (_DOTTED_INITIALISM, _dotted_initialism),
    (_N_FOR_M, lambda m: f"{cardinal(int(m.group(1)))} for {cardinal(int(m.group(2)))}"),
    (_VANITY_PHONE, _vanity_phone),
    (_ALNUM_CODE, _alnum_code),
    (_SHORT_CODE, lambda m: m.group("head") + digits(m.group("num"))),
    (_PHONE_INTL, _phone_intl),
    (_PHONE, _phone),
    (_PHONE_TRUNK, lambda m: _grouped_digits(m.group(0))),
    (_DIALLED, lambda m: m.group("verb") + m.group("gap") + digits(m.group("num"))),
    (_STATUS_CODE, lambda m: pairs(int(m.group(1)))),
    (_NAMED_NUMBER, lambda m: re.sub(r"^Rm\.?", "Room", m.group("head")) + pairs(int(m.group("num")))),
    (_HOUSE_NUMBER, lambda m: pairs(int(m.group("num")))),
    (_MONEY_CODE_AFTER, _money_code_after),
    (_MONEY, _money),
    (_CAPS_CODE, lambda m: m.group("head") + pairs(int(m.group("num")))),
    (_NUM_MAGNITUDE, _num_magnitude),
    (_FEET_INCHES, _feet_inches),
    (_INCHES, _inches),
    (_ISO_DATE, _iso_date),
    (_SLASH_DATE, _slash_date),
    (_DOTTED_DATE, _dotted_date),
    (_DIGIT_GROUPS, lambda m: _grouped_digits(m.group(0))),
    (_CODE_NUMBER, _code_number),
    (_ZIP, _zip),
    (_MONTH_DAY, _month_day),
    (_DAY_MONTH, _day_month),
    (_RATIO_TERMS, _ratio_terms),
    (_HMS, _hms),
    (_LAP_TIME, _lap_time),
    (_COMPACT_DURATION, lambda m: _duration(m, *m.groups())),
    (_MIN_SEC, lambda m: _duration(m, None, *m.groups())),
    (_TIME_SPAN, _time_span),
    (_CLOCK, _clock),
    (_HOUR_AMPM, _hour_ampm),
    (_RATIO, _ratio),
    (_UNICODE_FRACTION, _unicode_fraction),
    (_DIMENSIONS, _dimensions),
    (_PERCENT_TWICE, r"\g<sign>–"),
    (_IN_DOT, _in_dot),
    (_RANGE, _range),
    (_RATING, _rating),
    (_YEAR_SPAN, _year_span),
    (_SLASH, _slash),
    (_SLASH_NUMBER, _slash_number),
    (_DECADE, _decade),
    (_SHORT_YEAR, _short_year),
    (_FOUR_DIGITS, _year_or_number),
    (_ORDINAL, _ordinal),
    (_HYPHEN_UNIT, _hyphen_unit),
    (_NUM_UNIT, _num_unit),
    (_DECIMAL_SECONDS, lambda m: number(m.group(1)) + " seconds"),
]


def _normalize_plain(text: str) -> str:
    # hostile input first: nobody writes a hundred-digit number, and every pass below may read a
    # digit run as an int (Python refuses to parse more than 4,300 digits)
    text = _VERY_LONG_DIGITS.sub(lambda m: (" point " if m.group("dot") else " ") + digits(m.group("run")) + " ", text)
    for pattern, handler in _PASSES:
        text = pattern.sub(handler, text)
    text = _DIGITS_IN_WORD.sub(" ", text)  # "MP3" → "MP 3", "3D" → "3 D"
    text = re.sub(r"(?<=[A-Za-z])-(?=\d)", " ", text)  # "COVID-19" → "COVID 19"
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)
    text = _PLAIN_NUMBER.sub(_plain_number, text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,;:.!?])", "", text)  # ", ," left by two adjacent rewrites
    return text


def normalize(text: str) -> str:
    """``text`` with numbers, money, times, dates, units, symbols, abbreviations and addresses
    written out as the words a reader would say; line breaks are kept."""
    return "\n".join(outside_spans(line, _normalize_plain).strip(" \t") for line in text.split("\n"))

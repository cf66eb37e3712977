"""z3's printing options that change how values print: set_option(rational_to_decimal=True,
precision=n) makes Real values print as decimals with n digits (z3's default precision 10),
a "?" marking digits cut. Kept here, with no imports, for the value classes and the printer."""

OPTIONS = {"rational_to_decimal": False, "precision": 10}

# z3's other printer options: accepted, without effect (smtsched prints on one line)
LAYOUT = {"max_width", "max_lines", "max_depth", "max_args", "max_visited", "max_indent",
          "html_mode", "fpa_pretty", "ellipses"}


def set_printing(name, value):
    """True when `name` is a printer option (then set), False otherwise."""
    if name in OPTIONS:
        OPTIONS[name] = bool(value) if name == "rational_to_decimal" else int(value)
        return True
    return name in LAYOUT


def real_text(value):
    """A Real value (a Fraction) as z3 prints it under the current options."""
    if OPTIONS["rational_to_decimal"]:
        return decimal_text(value, OPTIONS["precision"])
    return str(value.numerator) if value.denominator == 1 else \
        f"{value.numerator}/{value.denominator}"


def decimal_text(value, prec):
    """`prec` decimal digits of a Fraction, truncated, with "?" when digits were cut, and no
    point for an integer (z3's Z3_get_numeral_decimal_string: 0.333?, -2.5, 5)."""
    negative = value < 0
    n, d = abs(value.numerator), value.denominator
    whole, rest = divmod(n, d)
    digits = []
    while rest and len(digits) < prec:
        digit, rest = divmod(rest * 10, d)
        digits.append(str(digit))
    text = str(whole)
    if digits or rest:
        text += "." + "".join(digits)
    if rest:
        text += "?"
    return "-" + text if negative else text

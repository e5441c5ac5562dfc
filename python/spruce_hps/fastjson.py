"""JSON on the evaluation path without importing json: json imports re, which costs every evaluation
more start-up time than the runner's own code. Reads with the C scanner json itself uses and writes
with its C string encoder; anything unusual is handed to json, so results never differ from it."""

try:
    import _json
except ImportError:  # an interpreter without json's C accelerator: json does it all
    _json = None


class _Options(object):
    # The attributes json's C scanner reads from its decoder: json.loads's defaults.
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity
    memo = {}


_scan = _json.make_scanner(_Options) if _json is not None else None
_WHITESPACE = " \t\n\r"


def _skip(text, i):
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def loads(text):
    if _scan is not None:
        start = _skip(text, 0)
        try:
            value, end = _scan(text, start)
        except StopIteration:
            end = -1
        if end >= 0 and _skip(text, end) == len(text):
            return value
    import json  # an error to report, in json's own words

    return json.loads(text)


def dumps(value):
    """json.dumps(value) for dicts with str keys, lists, tuples, str, int, float, bool and None."""
    if _json is not None:
        out = []
        if _encode(value, out):
            return "".join(out)
    import json

    return json.dumps(value)


def _encode(value, out):
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is str:
        out.append(_json.encode_basestring_ascii(value))
    elif type(value) is int:
        out.append(int.__repr__(value))
    elif type(value) is float:
        if value != value:
            out.append("NaN")
        elif value in (float("inf"), float("-inf")):
            out.append("Infinity" if value > 0 else "-Infinity")
        else:
            out.append(float.__repr__(value))
    elif type(value) in (list, tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(", ")
            if not _encode(item, out):
                return False
        out.append("]")
    elif type(value) is dict:
        out.append("{")
        for i, (k, item) in enumerate(value.items()):
            if type(k) is not str:
                return False
            if i:
                out.append(", ")
            out.append(_json.encode_basestring_ascii(k))
            out.append(": ")
            if not _encode(item, out):
                return False
        out.append("}")
    else:
        return False
    return True

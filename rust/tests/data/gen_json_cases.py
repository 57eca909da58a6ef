"""Regenerates json_cases.tsv: what CPython's json.loads(bytes) does with each input.

Run with each supported interpreter, then merge:
    python3.12 gen_json_cases.py > /tmp/312.tsv && python3.13 gen_json_cases.py > /tmp/313.tsv
    python3 gen_json_cases.py --merge /tmp/312.tsv /tmp/313.tsv > json_cases.tsv
Columns: input as hex, outcome on 3.12, outcome on 3.13. An outcome is `OK <compact JSON,
NaN/Infinity allowed>`, `ERR <pos> <msg>` (JSONDecodeError) or `EXC` (any other error).
"""

import json
import sys

# fmt: off
CASES = [
    b"", b" ", b" \t\r\n", b"\x0b", b"null", b"true", b"false", b"NaN", b"Infinity",
    b"-Infinity", b"[NaN, Infinity, -Infinity]", b"nul", b"tru", b"fals", b"Na", b"Infinit",
    b"-Inf", b"-", b"-a", b"nulls", b"nan", b"True", b"[nul]", b"NaNx", b"0", b"-0", b"-0.0",
    b"01", b"-01", b"00", b"1.", b"1.e5", b"[1.]", b".5", b"+1", b"1e5", b"1E+5", b"1e-5",
    b"1.5E-3", b"1e", b"1e-", b"[1e]", b"[1E+]", b"1ex", b"0x10", b"1_000",
    b"12345678901234567890123456789", b"1.5e400", b"-1e400", b"1e-400", b"0.1",
    b"1.7976931348623157e308", b"\xd9\xa1", b"1" * 4300, b"1" * 4301, b"-" + b"1" * 4300,
    b"-" + b"1" * 4301, b"[" + b"1" * 4301 + b"]", b"1." + b"1" * 500, b'""', b'"abc"',
    b'"abc', b'"', b'"\\', b'"\\"', b'"a\x00b"', b'"a\x1fb"', b'"a\tb"', b'"a\nb"', b'"a\x7fb"',
    b'"\\"\\\\\\/\\b\\f\\n\\r\\t"', b'"\\x41"', b'"\\a"', b'"\\u0041"', b'"\\u00e9\\u00C9"',
    b'"\\u0000"', b'"\\u123"', b'"\\u123"  ', b'"\\u12"', b'"\\u"', b'"\\u1234', b'"\\u12G4"',
    b'"\\u-123"', b'"\\U0041"', b'"\\ud83d\\ude00"', b'"\\uD83D\\uDE00"', b'"\\ud83d\\ude00',
    b'"\\ud800\\ud800\\u12"', b'"\\ud800\\uZZZZ"', b'"\\ud800\\u12"', b'"\xc3\xa9"',
    b'"\xf0\x9f\x98\x80"', b'["\xc3\xa9", x]', b'["\xf0\x9f\x98\x80" 1]',
    b'"\xe2\x82\xac\xe2\x82\xac\\x"', b'"\xc3\xa9\x01"', b'{"\xc3\xa9\xc3\xa9":1,}', b'"\xff"',
    b"\xff", b'"\xc3"', b"{}", b"{ }", b'{"a":1}', b'{"a" : 1 , "b" : [1, {"c": null}]}',
    b'{"a" 1}', b'{"a":1 "b":2}', b'{"a":1,}', b'{"a":1 , }', b"{1:2}", b"{a:1}", b"{'a':1}",
    b"{", b'{"a"', b'{"a":', b'{"a":1', b'{"a":1,', b'{"a":1,"a":2}', b'{"b":1,"a":2,"b":3}',
    b"[]", b"[ ]", b"[1,]", b"[1 ,\t]", b"[1 2]", b"[", b"[1", b"[1,", b"[,1]", b"[[[]]]",
    b"{} x", b"1 2", b"[]]", b" {} ", b"\r\n[1]\t", b"\xc2\xa0{}", b"{}\xc2\xa0",
    b"\xef\xbb\xbf{}", b"\xef\xbb\xbf\xef\xbb\xbf{}", "{}".encode("utf-16-le"),
    "{}".encode("utf-16"), "[1]".encode("utf-32"), "[1]".encode("utf-16-be"),
    b"[" * 100 + b"]" * 100, b'{"a":' * 50 + b"1" + b"}" * 50,
]
# fmt: on


def outcome(data: bytes) -> str:
    try:
        value = json.loads(data)
    except json.JSONDecodeError as error:
        return f"ERR {error.pos} {error.msg}"
    except Exception:
        return "EXC"
    return "OK " + json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def main() -> None:
    if sys.argv[1:2] == ["--merge"]:
        with open(sys.argv[2]) as first, open(sys.argv[3]) as second:
            for left, right in zip(first, second, strict=True):
                hex_input, result_312 = left.rstrip("\n").split("\t")
                _, result_313 = right.rstrip("\n").split("\t")
                print(f"{hex_input}\t{result_312}\t{result_313}")
        return
    for case in CASES:
        result = outcome(case)
        # A lone surrogate cannot be written as UTF-8 (nor held by a Rust string): skip.
        try:
            result.encode("utf-8")
        except UnicodeEncodeError:
            continue
        print(f"{case.hex()}\t{result}")


if __name__ == "__main__":
    main()

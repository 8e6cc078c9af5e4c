#!/usr/bin/python3
"""Prints a DICOM file as pydicom sees it, as DICOM JSON (PS3.18 Annex F), for Portico's interop tests.

Usage: /usr/bin/python3 pydicom-json.py FILE [FILE...]

Prints a JSON array with one object per file:
  {"path", "forced", "preamble", "transferSyntax", "isLittleEndian", "isImplicitVR",
   "meta": {...}, "dataset": {...}, "warnings": [...],
   "fragments": {"basicOffsetTable": base64, "fragments": [base64...]} | null, "partialError": str | null}

- "meta" and "dataset" are `to_json_dict()` of the file meta and the dataset. No bulk data handler is given, so
  every binary value is InlineBinary (the files are small); the comparison is done on the decoded bytes.
- "fragments": for encapsulated Pixel Data, base64 of the Basic Offset Table and of each fragment, so that a
  comparison does not depend on how each side represents encapsulated data in JSON.
- "warnings": every Python warning (pydicom reports invalid values and odd encodings as warnings) and every
  log record of level WARNING or above from the "pydicom" logger, as text.
- pydicom keeps explicitly encoded UN VRs as UN (config.replace_un_with_known_vr = False), as Portico does.
- A file without preamble/DICM is read again with force=True ("forced": true).
- When a value cannot be converted (an IS of "1A"), the dataset is given without the elements pydicom cannot
  convert (`suppress_invalid_tags`), and "partialError" says what went wrong; the exit code is then 2.

Exit code 0 when every file was read; 2 when pydicom cannot read one: a message on stderr and, in the array,
{"path", "error"} for that file (read errors include errors raised while converting values: reading is lazy).
"""
import base64
import json
import logging
import math
import struct
import sys
import warnings

import pydicom
import pydicom.config
from pydicom.errors import InvalidDicomError

pydicom.config.replace_un_with_known_vr = False


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(f"log {record.levelname}: {record.getMessage()}")


def _fragments(ds):
    """Basic Offset Table and fragments of encapsulated Pixel Data, or None."""
    if "PixelData" not in ds:
        return None
    elem = ds["PixelData"]
    if not getattr(elem, "is_undefined_length", False):
        return None
    data = elem.value
    items = []
    pos = 0
    while pos + 8 <= len(data):
        group, element, length = struct.unpack_from("<HHL", data, pos)
        tag = (group << 16) | element
        if tag == 0xFFFEE0DD:
            break
        if tag != 0xFFFEE000:
            raise ValueError(f"encapsulated Pixel Data: expected an item at byte {pos}, found {tag:08X}")
        items.append(base64.b64encode(data[pos + 8:pos + 8 + length]).decode("ascii"))
        pos += 8 + length
    if not items:
        raise ValueError("encapsulated Pixel Data without a Basic Offset Table item")
    bot, frags = items[0], items[1:]
    return {"basicOffsetTable": bot, "fragments": frags}


def _portable(x):
    """JSON that JavaScript reads without loss: NaN/Infinity as strings (as PS3.18 and Portico write them), and
    integers outside +-(2**53 - 1) as decimal strings (SV/UV values; JSON.parse would round them)."""
    if isinstance(x, dict):
        return {k: _portable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_portable(v) for v in x]
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 2**53 - 1:
        return str(x)
    return x


def describe(path):
    handler = _Collect()
    logger = logging.getLogger("pydicom")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            forced = False
            try:
                ds = pydicom.dcmread(path)
            except InvalidDicomError:
                forced = True
                ds = pydicom.dcmread(path, force=True)
            meta = ds.file_meta.to_json_dict() if getattr(ds, "file_meta", None) is not None else {}
            partial_error = None
            try:
                dataset = ds.to_json_dict()
            except Exception as exc:  # noqa: BLE001 - a value pydicom cannot convert
                # Again without the elements pydicom cannot convert (it logs each one, see "warnings").
                partial_error = f"{type(exc).__name__}: {exc}"
                ds = pydicom.dcmread(path, force=forced)
                dataset = ds.to_json_dict(suppress_invalid_tags=True)
            fragments = _fragments(ds)
        return {
            "path": path,
            "forced": forced,
            "preamble": ds.preamble is not None,
            "transferSyntax": str(ds.file_meta.get("TransferSyntaxUID", "")) if ds.file_meta is not None else "",
            "isLittleEndian": bool(ds.is_little_endian),
            "isImplicitVR": bool(ds.is_implicit_VR),
            "meta": _portable(meta),
            "dataset": _portable(dataset),
            "fragments": fragments,
            "partialError": partial_error,
            "warnings": [f"{w.category.__name__}: {w.message}" for w in caught] + handler.records,
        }
    finally:
        logger.removeHandler(handler)


def main(argv):
    if len(argv) < 2:
        print("usage: pydicom-json.py FILE [FILE...]", file=sys.stderr)
        return 64
    out = []
    status = 0
    for path in argv[1:]:
        try:
            result = describe(path)
            if result["partialError"] is not None:
                status = 2
                print(f"pydicom cannot convert every value of {path}: {result['partialError']}", file=sys.stderr)
            out.append(result)
        except Exception as exc:  # noqa: BLE001 - every read failure is reported, with its type
            status = 2
            message = f"{type(exc).__name__}: {exc}"
            print(f"pydicom cannot read {path}: {message}", file=sys.stderr)
            out.append({"path": path, "error": message})
    json.dump(out, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

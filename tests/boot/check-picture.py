#!/usr/bin/env python3
"""Checks a screenshot of the demo kernel's memory map picture against
the map the kernel printed on serial.

    check-picture.py [--locate] SERIAL_LOG SCREENSHOT

SCREENSHOT is a binary PPM (QEMU's screendump) or an XWD file of a 24-bit
TrueColor X screen (what Xvfb -fbdir keeps). Without --locate it is the
guest's screen itself. With --locate it is a larger screen holding the
guest's (an X screen with QEMU's window on it): the guest's screen is
taken to be the bounding box of the pixels in the picture's background
colour (BC_MAPVIEW_BG in boot/common/mapview.h), and the checks below
read the probe pixels relative to its top left corner.

From the serial log: the kernel's table of the map it drew (the lines
after "memory map as drawn: N entries"), MOS fb_width/fb_height, and the
probe lines of the picture (MOS mapview_rows, mapview_row<i>=X,Y,RRGGBB,TYPE, mapview_legend,
mapview_legend<k>=...). Checks that
  - the screenshot (or the located guest screen) is fb_width x fb_height;
  - each row drawn has the type of the same row of the map table, and the
    screenshot shows its colour at its probe pixel;
  - the legend lists exactly the types present in the map table, each in
    its own colour, shown at its swatch's probe pixel;
  - every row's colour is the legend colour of its type.
Prints "ok: ..." and exits 0, or prints each problem and exits 1.
"""
import re
import struct
import sys


def clean_lines(path):
    text = open(path, "rb").read().decode("latin-1").replace("\r", "")
    return re.sub(r"\x1b\[[0-9;=?]*[A-Za-z]", "", text).split("\n")


def map_table(lines):
    """Types of the kernel's table of the drawn map, in order."""
    for n, line in enumerate(lines):
        m = re.match(r"memory map as drawn: (\d+) entries", line)
        if not m:
            continue
        rows = [re.match(r"  0x[0-9a-f]{16}  0x[0-9a-f]{16} +.+  (\S+)$", x)
                for x in lines[n + 2:n + 2 + int(m.group(1))]]
        if all(rows):
            return [r.group(1) for r in rows]
    return None


def mos(lines):
    vals = {}
    for line in lines:
        if line.startswith("MOS ") and "=" in line:
            key, value = line[4:].split("=", 1)
            vals[key] = value
    return vals


# The demo kernel's background, BC_MAPVIEW_BG in boot/common/mapview.h.
BACKGROUND = bytes.fromhex("101010")


def read_ppm(data):
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; '#' comments
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
        if not m:
            raise ValueError("truncated PPM header")
        fields.append(m.group(2))
        pos = m.end()
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"not an 8-bit binary PPM (P6, 255): {fields[0]!r} {fields[3]!r}")
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) < 3 * w * h:
        raise ValueError(f"{len(pixels)} bytes of pixels, {w}x{h} needs {3 * w * h}")
    return w, h, pixels


def read_xwd(data):
    """An XWD file (version 7, ZPixmap, 32 bits a pixel, 8-bit red, green
    and blue masks) as width, height and RGB bytes."""
    if len(data) < 100:
        raise ValueError("truncated XWD header")
    (head, version, fmt, _, w, h, _, order, _, _, _, bpp, stride, _, red, green, blue, _, _,
     ncolours) = struct.unpack(">20I", data[:80])
    if (version, fmt, bpp) != (7, 2, 32) or (red, green, blue) != (0xff0000, 0xff00, 0xff):
        raise ValueError(f"not a 32-bit RGB XWD (version {version}, format {fmt}, "
                         f"{bpp} bits a pixel, masks {red:x} {green:x} {blue:x})")
    start = head + 12 * ncolours  # header, then one 12-byte XColor each
    if stride < 4 * w or len(data) < start + stride * h:
        raise ValueError(f"{len(data) - start} bytes of pixels, {w}x{h} needs {stride * h}")
    rgb = (2, 1, 0) if order == 0 else (1, 2, 3)  # LSBFirst: B G R x; MSBFirst: x R G B
    pixels = bytearray(3 * w * h)
    for y in range(h):
        row = data[start + y * stride:start + y * stride + 4 * w]
        for c, at in enumerate(rgb):
            pixels[3 * w * y + c:3 * w * (y + 1):3] = row[at::4]
    return w, h, bytes(pixels)


def read_screenshot(path):
    data = open(path, "rb").read()
    return read_ppm(data) if data[:2] == b"P6" else read_xwd(data)


def pixel_at_end(row, colour, last):
    """Index of the first (or last) pixel of `colour` in `row`, RGB bytes;
    -1 if none. A match must start on a pixel boundary."""
    pos = row.rfind(colour) if last else row.find(colour)
    while pos >= 0 and pos % 3:
        pos = row.rfind(colour, 0, pos + 2) if last else row.find(colour, pos + 1)
    return pos // 3 if pos >= 0 else -1


def locate(w, h, px):
    """Bounding box (x, y, width, height) of the background colour's
    pixels in a w x h RGB screen, or None when there is none."""
    box = None
    for y in range(h):
        row = px[3 * w * y:3 * w * (y + 1)]
        left = pixel_at_end(row, BACKGROUND, False)
        if left < 0:
            continue
        right = pixel_at_end(row, BACKGROUND, True)
        if box is None:
            box = [left, y, right, y]
        box = [min(box[0], left), box[1], max(box[2], right), y]
    return None if box is None else (box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1)


def crop(w, px, x, y, cw, ch):
    """The cw x ch rectangle at (x, y) of a w pixels wide RGB screen."""
    return b"".join(px[3 * (w * (y + j) + x):3 * (w * (y + j) + x + cw)] for j in range(ch))


def probe(value):
    m = re.fullmatch(r"(\d+),(\d+),([0-9a-f]{6}),(\S+)", value or "")
    return (int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)) if m else None


def main(argv):
    located = len(argv) == 4 and argv[1] == "--locate"
    argv = argv[1:] if located else argv
    if len(argv) != 3:
        raise SystemExit("usage: check-picture.py [--locate] SERIAL_LOG SCREENSHOT")
    lines = clean_lines(argv[1])
    types, vals = map_table(lines), mos(lines)
    problems = []
    if types is None:
        raise SystemExit(f"FAIL: no kernel map table in {argv[1]}")
    try:
        w, h, px = read_screenshot(argv[2])
    except (OSError, ValueError) as e:
        raise SystemExit(f"FAIL: {argv[2]}: {e}")
    where = ""
    if located:
        box = locate(w, h, px)
        if box is None:
            raise SystemExit(f"FAIL: no pixel of the background colour {BACKGROUND.hex()} "
                             f"on the {w}x{h} screen: no picture on it")
        px, w, h = crop(w, px, *box), box[2], box[3]
        where = f" at ({box[0]},{box[1]})"
    if (str(w), str(h)) != (vals.get("fb_width"), vals.get("fb_height")):
        problems.append(f"screenshot {w}x{h}{where}, framebuffer "
                        f"{vals.get('fb_width')}x{vals.get('fb_height')}")

    def check_pixel(name, p):
        x, y, colour, _ = p
        if x >= w or y >= h:
            problems.append(f"{name}: ({x},{y}) outside the {w}x{h} screenshot")
            return
        got = px[3 * (y * w + x):3 * (y * w + x) + 3].hex()
        if got != colour:
            problems.append(f"{name}: pixel ({x},{y}) is {got}, expected {colour}")

    rows = int(vals.get("mapview_rows", "0"))
    nlegend = int(vals.get("mapview_legend", "0"))
    if not 1 <= rows <= len(types):
        problems.append(f"mapview_rows={rows}: expected 1..{len(types)} (map table)")
    legend = {}
    for k in range(nlegend):
        p = probe(vals.get(f"mapview_legend{k}"))
        if not p:
            problems.append(f"mapview_legend{k} missing or malformed")
            continue
        check_pixel(f"legend {k} ({p[3]})", p)
        legend[p[3]] = p[2]
    if set(legend) != set(types):
        problems.append(f"legend types {sorted(legend)} != map types {sorted(set(types))}")
    if len(set(legend.values())) != len(legend):
        problems.append("two legend types share a colour")
    for i in range(min(rows, len(types))):
        p = probe(vals.get(f"mapview_row{i}"))
        if not p:
            problems.append(f"mapview_row{i} missing or malformed")
            continue
        if p[3] != types[i]:
            problems.append(f"row {i}: drawn as {p[3]}, map table says {types[i]}")
        if legend.get(p[3], p[2]) != p[2]:
            problems.append(f"row {i} ({p[3]}): colour {p[2]}, legend {legend[p[3]]}")
        check_pixel(f"row {i} ({p[3]})", p)
    if problems:
        for p in problems:
            print(f"FAIL: {p}")
        return 1
    print(f"ok: {w}x{h}{where}, {rows} rows of {len(types)} and {len(legend)} legend types match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

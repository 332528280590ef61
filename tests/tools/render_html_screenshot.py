"""Render an HTML report with headless Chromium: a PNG screenshot and a PDF (the print view).

    python tests/tools/render_html_screenshot.py report.html out.png [out.pdf]
    python tests/tools/render_html_screenshot.py --scan terraform_fixtures k8s_fixtures -- out.png out.pdf

Used by tests/test_reporters_evidence.py::test_html_screenshot and by hand to look
at the report as a reader would. Chromium runs offline-ish: no first-run, sync,
component updates or background networking, a throwaway profile.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], out: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="soc2iac-chromium-") as profile:
        cmd = [args[0], "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}", *args[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError(f"chromium wrote no {out.name} (exit {proc.returncode}): {proc.stderr[-2000:]}")


def screenshot(html: Path, png: Path, *, width: int = 1280, height: int = 2400, timeout: float = 120) -> None:
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    png.unlink(missing_ok=True)
    _run([exe, f"--screenshot={png}", f"--window-size={width},{height}", html.resolve().as_uri()], png, timeout)


def print_pdf(html: Path, pdf: Path, *, timeout: float = 120) -> None:
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    pdf.unlink(missing_ok=True)
    _run([exe, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri()], pdf, timeout)


def pdf_pages(pdf: Path) -> int:
    """Page count, from the /Type /Page objects (Chromium writes them uncompressed)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def decode_png(png: Path) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, unfiltered rows) of an 8-bit, non-interlaced PNG. No PIL needed."""
    data = png.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or interlace or color not in (0, 2, 4, 6):
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {color}, interlace {interlace})")
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def png_stats(png: Path, *, step: int = 4) -> dict[str, float]:
    """Size and a sampled luminance spread: a blank page has one colour and ~0 variance."""
    width, height, bpp, rows = decode_png(png)
    values = []
    for y in range(0, height, step):
        row = rows[y]
        for x in range(0, width, step):
            px = row[x * bpp:x * bpp + min(bpp, 3)]
            values.append(sum(px) / len(px))
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    dark = sum(1 for v in values if v < 128) / len(values)
    return {"width": width, "height": height, "mean": mean, "variance": variance, "dark_fraction": dark,
            "distinct": len({int(v) for v in values})}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--scan"]:
        sep = argv.index("--")
        paths, outs = argv[1:sep], argv[sep + 1:]
        from soc2iac.config import Config
        from soc2iac.policy import load_policies
        from soc2iac.reporters import html
        from soc2iac.scanner import scan

        result = scan(paths, policies=load_policies(), config=Config())
        source = Path(tempfile.mkdtemp(prefix="soc2iac-report-")) / "report.html"
        source.write_text(html.render(result), encoding="utf-8")
    else:
        source, outs = Path(argv[0]), argv[1:]
    png = Path(outs[0])
    screenshot(source, png)
    print(f"{png}: {png_stats(png)}")
    if len(outs) > 1:
        pdf = Path(outs[1])
        print_pdf(source, pdf)
        print(f"{pdf}: {pdf_pages(pdf)} page(s), {pdf.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The QR code of a verification URL, as a module matrix and as a crisp PNG of it."""

from __future__ import annotations

import io

import qrcode
from PIL import Image

BORDER = 4
BOX_PX = 8


def qr_matrix(url: str) -> list[list[bool]]:
    """Dark modules of the QR code for `url` (error correction M), quiet zone included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_png(url: str) -> bytes:
    """A 1-bit PNG of `qr_matrix(url)`, `BOX_PX` pixels per module."""
    matrix = qr_matrix(url)
    size = len(matrix)
    small = Image.new("1", (size, size), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    img = small.resize((size * BOX_PX, size * BOX_PX), Image.Resampling.NEAREST)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()

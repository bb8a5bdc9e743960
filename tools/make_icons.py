"""Draws the app's icons into pwa/assets/icons/ (run again only when the design changes).

A white speech bubble with "DVC" on the app's blue; the maskable icon keeps everything
inside the safe zone (the central 80 %), the badge is a white shape on transparency
(Android shows badges as a silhouette).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pwa" / "assets" / "icons"
FONT = ROOT / "data" / "fonts" / "DejaVuSans-Bold.ttf"
BLUE = (11, 92, 171, 255)
WHITE = (255, 255, 255, 255)


def bubble(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], fill, text_fill) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    body = (x0, y0, x1, y0 + h * 0.78)
    draw.rounded_rectangle(body, radius=w * 0.18, fill=fill)
    # The bubble's tail, bottom left.
    draw.polygon([(x0 + w * 0.18, body[3] - 1), (x0 + w * 0.42, body[3] - 1), (x0 + w * 0.14, y1)], fill=fill)
    if text_fill is None:
        return
    font = ImageFont.truetype(str(FONT), int(w * 0.30))
    cx, cy = (x0 + x1) / 2, (body[1] + body[3]) / 2
    draw.text((cx, cy), "DVC", font=font, fill=text_fill, anchor="mm")


def icon(size: int, *, safe: float, rounded: bool) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if rounded:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 0.2, fill=BLUE)
    else:
        draw.rectangle((0, 0, size, size), fill=BLUE)
    margin = size * (1 - safe) / 2
    bubble(draw, (margin, margin + size * 0.04 * safe, size - margin, size - margin), WHITE, BLUE)
    return img


def badge(size: int) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    bubble(ImageDraw.Draw(img), (size * 0.1, size * 0.12, size * 0.9, size * 0.88), WHITE, None)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, safe=0.72, rounded=True).save(OUT / "icon-192.png", optimize=True)
    icon(512, safe=0.72, rounded=True).save(OUT / "icon-512.png", optimize=True)
    icon(512, safe=0.62, rounded=False).save(OUT / "maskable-512.png", optimize=True)
    icon(180, safe=0.66, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    badge(72).save(OUT / "badge-72.png", optimize=True)


if __name__ == "__main__":
    main()

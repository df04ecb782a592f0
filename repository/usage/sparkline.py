"""A small line of daily counts as inline SVG: drawn on the server, no script, no style sheet."""

from html import escape

WIDTH, HEIGHT, PAD = 120, 24, 2


def sparkline_svg(counts: list[int], *, label: str) -> str:
    """An SVG polyline of `counts` (oldest first), scaled to its peak; `label` is its text."""
    peak = max(counts, default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(counts) - 1, 1)
    points = " ".join(
        f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * n / peak:.1f}"
        for i, n in enumerate(counts)
    )
    text = escape(label)
    return (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{text}">'
        f"<title>{text}</title>"
        f'<polyline points="{points}" fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round"/></svg>'
    )

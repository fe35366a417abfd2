"""Charts drawn on the server as inline SVG: bar charts of figure sets and the London tile map.

No script and no style attribute (the CSP forbids both): only SVG presentation attributes. Every
bar carries its number and every tile its name and a pattern, so colour is never the only signal;
each chart's figures are also in a table on the page.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from boroughs.models import Borough, Stp
from reports.queries import NO_RETURN, NOT_ANSWERED, FigureSet, Tile

TEXT = "#212b32"
BAR = "#005eb8"
MUTED = "#768692"

# Status → (label for the legend, pattern description, SVG pattern body). The pattern cell is
# 10 x 10 user units.
STATUS_PATTERNS = {
    "established": (
        "solid",
        '<rect width="10" height="10" fill="#005eb8"/>',
    ),
    "pilot": (
        "diagonal stripes",
        '<rect width="10" height="10" fill="#d2e2f1"/>'
        '<path d="M-1,1 l2,-2 M0,10 l10,-10 M9,11 l2,-2" stroke="#003087" stroke-width="3"/>',
    ),
    "planned": (
        "dots",
        '<rect width="10" height="10" fill="#fff1c7"/>'
        '<circle cx="5" cy="5" r="2.6" fill="#8a4b00"/>',
    ),
    "not_applicable": (
        "cross-hatch",
        '<rect width="10" height="10" fill="#f0f4f5"/>'
        '<path d="M0,0 L10,10 M10,0 L0,10" stroke="#425563" stroke-width="1.4"/>',
    ),
    NOT_ANSWERED: (
        "horizontal lines",
        '<rect width="10" height="10" fill="#f0f4f5"/>'
        '<path d="M0,5 L10,5" stroke="#425563" stroke-width="2"/>',
    ),
    NO_RETURN: (
        "blank, dashed outline",
        '<rect width="10" height="10" fill="#ffffff"/>',
    ),
}

EXTRA_STATUSES = {NOT_ANSWERED, NO_RETURN}  # shown in the legend only when they occur

# Short names for London's 32 units on the tile map (others: initials, see `short_name`).
LONDON_SHORT_NAMES = {
    "barking-dagenham": "B&D",
    "barnet": "BAR",
    "bexley": "BEX",
    "brent": "BRE",
    "bromley": "BRO",
    "camden": "CAM",
    "central-london": "CLN",
    "city-hackney": "C&H",
    "croydon": "CRO",
    "ealing": "EAL",
    "enfield": "ENF",
    "greenwich": "GRE",
    "hammersmith-fulham": "H&F",
    "haringey": "HGY",
    "harrow": "HRW",
    "havering": "HAV",
    "hillingdon": "HIL",
    "hounslow": "HOU",
    "islington": "ISL",
    "kingston": "KIN",
    "lambeth": "LAM",
    "lewisham": "LEW",
    "merton": "MER",
    "newham": "NEW",
    "redbridge": "RED",
    "richmond": "RIC",
    "southwark": "SWK",
    "sutton": "SUT",
    "tower-hamlets": "TH",
    "waltham-forest": "WF",
    "wandsworth": "WAN",
    "west-london": "WLN",
}


def short_name(borough) -> str:
    """A tile label of a few characters: London's usual abbreviation, else initials."""
    if borough.slug in LONDON_SHORT_NAMES:
        return LONDON_SHORT_NAMES[borough.slug]
    words = [w for w in borough.name.replace("&", " ").split() if w]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w if w.isdigit() else w[0].upper() for w in words)[:6]


def pattern_id(prefix: str, status: str) -> str:
    return f"{prefix}-pattern-{status}"


def pattern_defs(prefix: str) -> SafeString:
    """<defs> with one <pattern> per status, ids `<prefix>-pattern-<status>`."""
    bodies = {key: mark_safe(body) for key, (_, body) in STATUS_PATTERNS.items()}  # noqa: S308
    patterns = format_html_join(
        "",
        '<pattern id="{}" width="10" height="10" patternUnits="userSpaceOnUse">{}</pattern>',
        ((pattern_id(prefix, key), body) for key, body in bodies.items()),
    )
    return format_html("<defs>{}</defs>", patterns)


def bar_chart(figure_set: FigureSet, *, chart_id: str, patterned: bool = False) -> SafeString:
    """A horizontal bar chart of a figure set; 100% of the axis is every borough of the report.

    `patterned` fills the bars with the status patterns of the map (for the status chart).
    """
    rows = figure_set.rows
    label_width, bar_width, number_width = 170, 300, 160
    row_height, bar_height, top = 30, 20, 8
    width = label_width + bar_width + number_width
    height = top * 2 + row_height * len(rows)
    scale = bar_width / max(figure_set.total, 1)
    parts = []
    for index, figure in enumerate(rows):
        y = top + index * row_height
        length = round(figure.count * scale, 1)
        if patterned and figure.key in STATUS_PATTERNS:
            fill = f"url(#{pattern_id(chart_id, figure.key)})"
        else:
            fill = MUTED if figure.key in {NO_RETURN, NOT_ANSWERED} else BAR
        share = f" of {figure.total}"
        share += f" ({figure.percent}%)" if figure.percent is not None else ""
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="14">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="14" font-weight="bold">{}{}</text>',
                label_width - 8,
                y + bar_height - 5,
                TEXT,
                figure.label,
                label_width,
                y,
                length,
                bar_height,
                fill,
                TEXT if length else "none",
                label_width + length + 6,
                y + bar_height - 5,
                TEXT,
                figure.count,
                share,
            )
        )
    description = "; ".join(f"{figure.label}: {figure.phrase}" for figure in rows)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{defs}'
        '<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="{text}"/>{bars}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=f"{figure_set.title}: boroughs by answer (bar chart)",
        desc=description,
        defs=pattern_defs(chart_id) if patterned else "",
        x=label_width,
        text=TEXT,
        bars=mark_safe("".join(parts)),  # noqa: S308 (built with format_html)
    )


def map_words(tiles: list[Tile]) -> tuple[str, str]:
    """The map's title and description: London's, unless the tiles (with their regions read
    with them) are in another region, or in several."""
    regions = {
        tile.borough.stp.region.name
        for tile in tiles
        if Borough.stp.is_cached(tile.borough) and Stp.region.is_cached(tile.borough.stp)
    }
    if len(regions) > 1:
        return (
            "Map of the units by service status",
            "Each square is a unit, its region's units on rows of their own, linked to its "
            "profile; its pattern shows its service status (see the legend and the table).",
        )
    area = regions.pop() if regions else "London"
    return (
        f"Map of {area}'s boroughs by service status",
        f"Each square is a borough, placed roughly where it lies in {area} and linked to its "
        "profile; its pattern shows its service status (see the legend and the table).",
    )


def tile_map(tiles: list[Tile], *, map_id: str, href) -> SafeString:
    """London as a tile map: one square per borough at (tile_x, tile_y), west to east and north to
    south, filled with its status pattern, labelled with its short name and linked by `href(tile)`.
    """
    size, gap, margin = 56, 4, 4
    step = size + gap
    if not tiles:
        return format_html("<p>{}</p>", "There are no boroughs to show.")
    min_x = min(tile.x for tile in tiles)
    min_y = min(tile.y for tile in tiles)
    width = (max(tile.x for tile in tiles) - min_x + 1) * step + 2 * margin
    height = (max(tile.y for tile in tiles) - min_y + 1) * step + 2 * margin
    title, desc = map_words(tiles)
    parts = []
    for tile in tiles:
        x = margin + (tile.x - min_x) * step
        y = margin + (tile.y - min_y) * step
        name = f"{tile.borough.name}: {tile.status_label}"
        dashed = "4 3" if tile.status == NO_RETURN else "none"
        parts.append(
            format_html(
                '<a href="{href}" aria-label="{name}" class="tile" data-borough="{slug}" '
                'data-x="{tx}" data-y="{ty}" data-status="{status}"><title>{name}</title>'
                '<rect x="{x}" y="{y}" width="{s}" height="{s}" fill="url(#{pattern})" '
                'stroke="{text}" stroke-width="1.5" stroke-dasharray="{dashed}"/>'
                '<rect x="{lx}" y="{ly}" width="{lw}" height="18" fill="#ffffff" stroke="{text}" '
                'stroke-width="0.75"/>'
                '<text x="{cx}" y="{ty_text}" text-anchor="middle" font-size="12" '
                'font-weight="bold" fill="{text}">{short}</text></a>',
                href=href(tile),
                name=name,
                slug=tile.borough.slug,
                tx=tile.x,
                ty=tile.y,
                status=tile.status,
                x=x,
                y=y,
                s=size,
                pattern=pattern_id(map_id, tile.status),
                text=TEXT,
                dashed=dashed,
                lx=x + 5,
                ly=y + size / 2 - 9,
                lw=size - 10,
                cx=x + size / 2,
                ty_text=y + size / 2 + 4,
                short=short_name(tile.borough),
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="group" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{defs}{tiles}'
        "</svg>",
        w=width,
        h=height,
        id=map_id,
        title=title,
        desc=desc,
        defs=pattern_defs(map_id),
        tiles=mark_safe("".join(parts)),  # noqa: S308 (built with format_html)
    )


def legend_swatch(map_id: str, status: str) -> SafeString:
    """A small square with a status pattern, for the map's legend (decorative: the text says it)."""
    dashed = "4 3" if status == NO_RETURN else "none"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true" focusable="false"><rect x="1" y="1" width="22" height="22" '
        'fill="url(#{})" stroke="{}" stroke-width="1.5" stroke-dasharray="{}"/></svg>',
        pattern_id(map_id, status),
        TEXT,
        dashed,
    )


def pattern_name(status: str) -> str:
    return STATUS_PATTERNS[status][0]

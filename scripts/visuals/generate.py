#!/usr/bin/env python3
"""Draws the campaigns' visuals: one 640x360 PNG per `visual "NAME.png"` of campaigns/.

Every picture has the same composition, in the palette of the Italian public administration's
design system (Designers Italia / Bootstrap Italia): a pale blue field, soft shapes, a large
primary-blue disc with a white pictogram, and a smaller disc with a second pictogram. No text:
the alternative text is in the `.guide` source (`visual "x.png" alt "…"`).

The pictograms are Bootstrap Italia's icons (BSD-3-Clause, icons/LICENSE), copied into icons/.
Rasterized with rsvg-convert (Debian: librsvg2-bin), then palette-quantized with pngquant when
present. Run from anywhere: python3 scripts/visuals/generate.py
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CAMPAIGNS = ROOT / "campaigns"

W, H = 640, 360
# Bootstrap Italia: primary, primary dark, primary light, and the state colours.
PRIMARY = "#0066CC"
DARK = "#17324D"
FIELD = "#E6F0FA"
SHAPE = "#CCE0F5"
ACCENTS = {
    "blue": "#004D99",
    "green": "#008055",
    "orange": "#A66300",
    "red": "#D9364F",
}

# NAME: (main pictogram, second pictogram or None, accent, frame). frame "phone" draws a
# phone around the main pictogram.
VISUALS = {
    # Assegno sociale
    "as_intro": ("user", "mail", "blue", None),
    "as_primo_pagamento": ("calendar", "card", "green", None),
    "as_importo": ("card", "chart-line", "green", None),
    "as_quote": ("chart-line", "minus-circle", "blue", None),
    "as_trattenute": ("card", "minus-circle", "orange", None),
    "as_provvedimento": ("file-pdf", "sign", "blue", None),
    "as_obbligo_soggiorno": ("map-marker", "flag", "green", None),
    "as_obbligo_ricoveri": ("plus-circle", "comment", "red", None),
    "as_obbligo_red": ("file", "calendar", "orange", None),
    "as_servizi": ("piattaforme", "user", "blue", None),
    "as_guida_pdf": ("file-pdf", "download", "blue", None),
    "as_invecchiamento_attivo": ("user", "star-full", "green", None),
    "as_truffe": ("warning", "lock", "red", None),
    "as_fine": ("check-circle", "star-outline", "green", None),
    # Assegno unico
    "auu_intro": ("user", "mail", "blue", None),
    "auu_documenti": ("files", "warning-circle", "orange", None),
    "auu_patronato": ("pa", "user", "blue", None),
    "auu_gestisci_domande": ("piattaforme", "upload", "green", None),
    "auu_figlio_maggiorenne": ("user", "calendar", "blue", None),
    "auu_iban": ("card", "error", "red", None),
    "auu_fine": ("check-circle", "star-outline", "green", None),
    # Common scenes
    "contatti_myinps": ("telephone", "mail", "blue", None),
    "app_inps_mobile": ("piattaforme", "wifi", "blue", "phone"),
    "servizi_proattivi": ("horn", "user", "green", None),
    # NASpI
    "naspi_intro": ("user", "comment", "blue", None),
    "naspi_importo": ("card", "chart-line", "green", None),
    "naspi_primo_pagamento": ("calendar", "card", "green", None),
    "naspi_durata": ("clock", "calendar", "blue", None),
    "naspi_bonifico": ("card", "exchange-circle", "green", None),
    "naspi_ufficio_postale": ("mail", "map-marker", "orange", None),
    "naspi_lavoro_autonomo": ("tool", "chart-line", "blue", None),
    "naspi_naspi_com": ("comment", "piattaforme", "blue", None),
    "naspi_obblighi": ("presentation", "user", "orange", None),
    "naspi_servizi": ("piattaforme", "check", "green", None),
    "naspi_canali": ("video", "refresh", "blue", None),
    "naspi_fine": ("check-circle", "star-outline", "green", None),
    # Neopensionati
    "pensione_intro": ("user", "star-full", "blue", None),
    "pensione_provvedimento": ("file-pdf", "sign", "blue", None),
    "pensione_calcolo_retributivo": ("chart-line", "card", "blue", None),
    "pensione_calcolo_misto": ("chart-line", "exchange-circle", "blue", None),
    "pensione_calcolo_contributivo": ("chart-line", "box", "blue", None),
    "pensione_importo": ("card", "chart-line", "green", None),
    "pensione_arretrati": ("clock", "card", "green", None),
    "pensione_tassazione": ("file-sheet", "pa", "orange", None),
    "pensione_detrazioni": ("file-sheet", "minus-circle", "green", None),
    "pensione_prestazioni_reddito": ("chart-line", "plus-circle", "green", None),
    "pensione_obblighi": ("file-signed", "calendar", "orange", None),
    "pensione_cedolino": ("file-txt", "card", "blue", None),
    "pensione_certificazioni": ("file-signed", "download", "blue", None),
    "pensione_coordinate_bancarie": ("card", "pencil", "orange", None),
    "pensione_canali": ("telephone", "piattaforme", "blue", None),
    "pensione_fine": ("check-circle", "star-outline", "green", None),
    # RED 2021
    "red_intro": ("user", "mail", "blue", None),
    "red_prestazioni": ("card", "files", "blue", None),
    "red_scadenza": ("calendar", "clock", "orange", None),
    "red_conseguenze": ("warning", "ban", "red", None),
    "red_online": ("piattaforme", "file", "green", None),
    "red_assistenza": ("user", "help-circle", "blue", None),
    "red_consulente_digitale": ("search", "star-full", "green", None),
    "red_fine": ("check-circle", "star-outline", "green", None),
}


def icon(name, x, y, size, fill):
    """The inner drawing of a 24x24 Bootstrap Italia icon, placed at (x, y), size px wide."""
    text = (HERE / "icons" / f"it-{name}.svg").read_text(encoding="utf-8")
    inner = re.sub(r"^.*?<svg[^>]*>|</svg>\s*$", "", text, flags=re.S)
    k = size / 24
    return f'<g transform="translate({x} {y}) scale({k})" fill="{fill}">{inner}</g>'


def svg(main, second, accent, frame):
    colour = ACCENTS[accent]
    cx, cy, r = 300, 180, 118
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
        f'<rect width="{W}" height="{H}" fill="{FIELD}"/>',
        # Soft shapes behind: a wide rounded band and two dots, the same in every picture.
        f'<rect x="40" y="250" width="560" height="70" rx="35" fill="{SHAPE}"/>',
        f'<circle cx="92" cy="92" r="34" fill="{SHAPE}"/>',
        f'<circle cx="548" cy="70" r="18" fill="{SHAPE}"/>',
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{PRIMARY}"/>',
    ]
    if frame == "phone":
        parts.append(
            f'<rect x="{cx - 48}" y="{cy - 84}" width="96" height="168" rx="14" '
            f'fill="none" stroke="#FFFFFF" stroke-width="8"/>'
        )
        parts.append(f'<circle cx="{cx}" cy="{cy + 64}" r="6" fill="#FFFFFF"/>')
        parts.append(icon(main, cx - 36, cy - 52, 72, "#FFFFFF"))
    else:
        parts.append(icon(main, cx - 72, cy - 72, 144, "#FFFFFF"))
    if second:
        sx, sy, sr = cx + 128, cy + 62, 56
        parts.append(f'<circle cx="{sx}" cy="{sy}" r="{sr + 6}" fill="{FIELD}"/>')
        parts.append(f'<circle cx="{sx}" cy="{sy}" r="{sr}" fill="{colour}"/>')
        parts.append(icon(second, sx - 36, sy - 36, 72, "#FFFFFF"))
    parts.append("</svg>")
    return "\n".join(parts)


def uses():
    """campaign folder -> the visuals its sources name (a common scene's visual goes to every
    campaign that includes the scene)."""
    visual = re.compile(r'visual\s+"([^"]+)\.png"')
    common = {}
    for f in (CAMPAIGNS / "common").glob("*.guide"):
        for m in re.finditer(r'scene\s+(\w+)\s*\{[^}]*?visual\s+"([^"]+)\.png"', f.read_text()):
            common[m.group(1)] = m.group(2)
    out = {}
    for d in sorted(p for p in CAMPAIGNS.iterdir() if p.is_dir() and p.name != "common"):
        names = set()
        for f in d.glob("*.guide"):
            src = f.read_text(encoding="utf-8")
            names.update(visual.findall(src))
            for m in re.finditer(r"\binclude\s+(\w+)", src):
                if m.group(1) in common:
                    names.add(common[m.group(1)])
        out[d] = sorted(names)
    return out


def main():
    rsvg = shutil.which("rsvg-convert")
    if not rsvg:
        sys.exit("rsvg-convert is missing: apt-get install librsvg2-bin")
    quant = shutil.which("pngquant")
    missing = []
    for d, names in uses().items():
        for name in names:
            if name not in VISUALS:
                missing.append(name)
                continue
            png = d / f"{name}.png"
            subprocess.run(
                [rsvg, "-w", str(W), "-h", str(H), "-o", str(png)],
                input=svg(*VISUALS[name]).encode(),
                check=True,
            )
            if quant:
                subprocess.run(
                    [quant, "--force", "--skip-if-larger", "--strip", "16", "--output", str(png), str(png)],
                    check=False,
                )
    if missing:
        sys.exit("no drawing for: " + ", ".join(missing))


if __name__ == "__main__":
    main()

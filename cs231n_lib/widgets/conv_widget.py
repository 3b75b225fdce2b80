"""Interactive convolution explorer: output sizes, the sliding window, im2col and a filter bank on a real image.

    from cs231n_lib.widgets import convolution_demo
    convolution_demo()                  # or convolution_demo(size=7, stride=2, pad=1, channels_in=1)

Controls: the input size ``H``, filter size ``F``, stride ``S``, padding ``P``, dilation ``D`` and the
number of input and output channels. The output size is computed with the formula shown,
``(H + 2P - D(F-1) - 1)/S + 1``; a setting that does not work is explained in words, with the values
to change. A small integer input (padding in grey) is convolved with small integer filters: the
window slides (play button and step slider), its taps are highlighted on the input, the output
cell it produces on the output, and the dot product is written out with its numbers. The im2col
matrix of the setting is drawn with the current window's column highlighted. Below, a filter bank
(edge, blur, sharpen, Sobel x/y, random) is applied to a Fashion-MNIST test image with the
same stride, padding and dilation (a synthetic picture and a message when the data are missing).

The pictures are inline SVG in ``ipywidgets.HTML`` and two canvas views (``_canvas.PlaneView``); the
math is in :mod:`cs231n_lib.widgets.conv_math`. The status line shows how long the last update took.
"""

from __future__ import annotations

import base64
import html
import struct
import time
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from . import conv_math as cm
from ._canvas import PlaneView
from ._render import label_bytes, svg_tag

__all__ = ["ConvolutionDemo", "convolution_demo", "sliding_svg", "im2col_svg"]

TAP_COLOR, OUT_COLOR, PAD_FILL, LEVELS = "#f58231", "#e6194b", "#d9d9d9", 64
GRAY = [to_hex((v, v, v)) for v in np.linspace(0.0, 1.0, LEVELS)]
DIVERGING = [to_hex(colormaps["RdBu_r"](v)[:3]) for v in np.linspace(0.0, 1.0, LEVELS)]


def _num(v):
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2g}"


def _grid(values, x0, y0, cell, label, pad=0, font=11):
    """A grid of numbers at ``(x0, y0)``; the outer ``pad`` rings of cells are drawn grey (the padding)."""
    n_rows, n_cols = values.shape
    w, h = n_cols * cell, n_rows * cell
    parts = [svg_tag("text", html.escape(label), x=x0, y=y0 - 5, font_size=12, font_weight="bold"),
             svg_tag("rect", x=x0, y=y0, width=w, height=h, fill=PAD_FILL if pad else "white")]
    if pad:
        parts.append(svg_tag("rect", x=x0 + pad * cell, y=y0 + pad * cell, width=w - 2 * pad * cell,
                             height=h - 2 * pad * cell, fill="white"))
    lines = [f"M{x0 + c * cell},{y0}v{h}" for c in range(n_cols + 1)] + \
            [f"M{x0},{y0 + r * cell}h{w}" for r in range(n_rows + 1)]
    parts.append(svg_tag("path", d="".join(lines), stroke="#999", stroke_width=0.5, fill="none"))
    for r in range(n_rows):
        for c in range(n_cols):
            if not np.isnan(values[r, c]):
                parts.append(f'<text x="{x0 + (c + 0.5) * cell:g}" y="{y0 + (r + 0.5) * cell + 4:g}">'
                             f'{_num(values[r, c])}</text>')
    return parts[:3 + bool(pad)] + [svg_tag("g", "".join(parts[3 + bool(pad):]) or " ", text_anchor="middle",
                                            font_size=font, font_family="monospace")]


def _png_uri(rgb):
    """An ``(h, w, 3)`` uint8 image as a ``data:image/png;base64`` URI (a minimal PNG writer)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[r].tobytes() for r in range(h))
    chunk = lambda tag, data: (struct.pack(">I", len(data)) + tag + data
                               + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _box(x0, y0, cell, r, c, color, width=2.5, rows=1, cols=1, cls=None, fill="none"):
    return svg_tag("rect", x=x0 + c * cell, y=y0 + r * cell, width=cols * cell, height=rows * cell, fill=fill,
                   stroke=color, stroke_width=width, class_=cls)


def sliding_svg(xp, pad, w, b, out, g, cell_rc):
    """The padded input channels (taps of window ``cell_rc`` highlighted), the filters and biases, and the
    outputs (cells up to the current one filled in, the current one outlined) as one SVG."""
    C, Hp, _ = xp.shape
    K, n = len(w), g.out
    cell = 24 if Hp <= 9 else 18
    gap, top = 24, 22
    parts = []
    rows, cols = (cm.window_positions(*cell_rc, g.field, g.stride, g.dilation) if cell_rc is not None
                  else (np.array([], int), np.array([], int)))
    for ch in range(C):
        x0 = ch * (Hp * cell + gap)
        parts += _grid(xp[ch], x0, top, cell, f"input channel {ch}" + (f" (pad {pad})" if pad else ""), pad)
        for r in rows:
            for c in cols:
                parts.append(_box(x0, top, cell, r, c, TAP_COLOR, fill=TAP_COLOR + "55", cls="cs231n-conv-tap"))
        if cell_rc is not None:
            parts.append(_box(x0, top, cell, rows[0], cols[0], "#333", 1, rows=g.extent, cols=g.extent))
    width = max(C * (Hp * cell + gap), 1)
    y = top + Hp * cell + 34
    fcell = 20
    done = -1 if cell_rc is None else cell_rc[0] * n + cell_rc[1]
    for k in range(K):
        x0 = 0
        for ch in range(C):
            parts += _grid(w[k, ch], x0, y, fcell, f"filter {k}, ch {ch}", font=10)
            x0 += g.field * fcell + 14
        parts.append(svg_tag("text", f"bias {_num(b[k])}", x=x0, y=y + 14, font_size=12, font_family="monospace"))
        x0 += 70
        if n > 0:
            shown = np.full((n, n), np.nan)
            flat = shown.reshape(-1)
            flat[:done + 1] = out[k].reshape(-1)[:done + 1]
            parts += _grid(shown, x0, y, fcell + 6, f"output {k} ({n}x{n})", font=10)
            if cell_rc is not None:
                parts.append(_box(x0, y, fcell + 6, *cell_rc, OUT_COLOR, 3, cls="cs231n-conv-outcell"))
            width = max(width, x0 + n * (fcell + 6) + 10)
        y += max(g.field * fcell, n * (fcell + 6)) + 30
    return svg_tag("svg", "".join(parts), xmlns="http://www.w3.org/2000/svg", width=width, height=y,
                   viewBox=f"0 0 {width} {y}", font_family="sans-serif")


def im2col_svg(cols, current, max_width=900, max_height=420, max_numbers=400):
    """The im2col matrix ``(C*F*F, L)`` as shaded cells (a pixel image; numbers on top when there are at most
    ``max_numbers`` and they fit), column ``current`` highlighted."""
    n_rows, n_cols = cols.shape
    cw = max(4.0, min(22.0, max_width / max(n_cols, 1)))
    ch = max(3.0, min(16.0, max_height / max(n_rows, 1)))
    width, height = round(n_cols * cw, 2), round(n_rows * ch, 2)
    parts = []
    if cols.size:
        hi = float(np.abs(cols).max()) or 1.0
        shade = np.round(255 * (1.0 - 0.45 * np.abs(cols) / hi)).astype(np.uint8)
        parts.append(svg_tag("image", href=_png_uri(np.repeat(shade[:, :, None], 3, axis=2)), x=0, y=0,
                             width=width, height=height, preserveAspectRatio="none",
                             style="image-rendering:pixelated"))
        if cw >= 18 and ch >= 13 and cols.size <= max_numbers:
            texts = "".join(f'<text x="{(c + 0.5) * cw:g}" y="{(r + 0.5) * ch + 3.5:g}">{_num(cols[r, c])}</text>'
                            for r in range(n_rows) for c in range(n_cols))
            parts.append(svg_tag("g", texts, text_anchor="middle", font_size=9, font_family="monospace"))
    if current is not None and n_cols:
        parts.append(svg_tag("rect", x=round(current * cw, 2), y=0, width=round(cw, 2), height=height,
                             fill=OUT_COLOR + "33", stroke=OUT_COLOR, stroke_width=2, class_="cs231n-conv-column"))
    return svg_tag("svg", "".join(parts) or " ", xmlns="http://www.w3.org/2000/svg", width=width, height=height,
                   viewBox=f"0 0 {width} {height}", font_family="sans-serif")


class ConvolutionDemo(widgets.VBox):
    """The convolution explorer; itself a displayable ``VBox`` with public state for tests.

    ``geometry`` is the current :class:`conv_math.Geometry`; ``x, w, b`` the small example, ``out`` its
    output (PyTorch's floored size when the division is not exact), ``cols`` its im2col matrix;
    ``images`` the sample images (``data_message`` says why they are synthetic, if they are) and
    ``bank_out`` the filtered image; ``last_update_s`` how long the last update took.
    """

    def __init__(self, size=5, field=3, stride=2, pad=1, dilation=1, channels_in=2, channels_out=2, seed=0,
                 filter="sobel_x", image=0, image_px=280):
        if filter not in cm.FILTERS:
            raise ValueError(f"convolution_demo: unknown filter {filter!r}; choose one of {list(cm.FILTERS)}")
        self.seed = int(seed)
        self.last_update_s = float("nan")
        self.images, self.captions, self.data_message = cm.sample_images()
        self._quiet = False
        style = {"description_width": "95px"}
        slider = lambda value, lo, hi, label: widgets.IntSlider(value=value, min=lo, max=hi, description=label,
                                                                style=style, continuous_update=False)
        self.size_w = slider(size, 1, 9, "input size H")
        self.field_w = slider(field, 1, 5, "filter size F")
        self.stride_w = slider(stride, 1, 4, "stride S")
        self.pad_w = slider(pad, 0, 3, "padding P")
        self.dilation_w = slider(dilation, 1, 3, "dilation D")
        self.c_in_w = slider(channels_in, 1, 3, "channels in")
        self.c_out_w = slider(channels_out, 1, 3, "channels out")
        self.reseed_btn = widgets.Button(description="new numbers", icon="random")
        self.step_w = widgets.IntSlider(value=0, min=0, max=0, description="window step", style=style)
        self.play = widgets.Play(value=0, min=0, max=0, interval=700, show_repeat=False)
        widgets.jslink((self.play, "value"), (self.step_w, "value"))
        self.formula_w = widgets.HTML()
        self.figure_w = widgets.HTML()
        self.dot_w = widgets.HTML()
        self.im2col_w = widgets.HTML()
        self.filter_w = widgets.ToggleButtons(options=[(label, key) for key, (label, _) in cm.FILTERS.items()],
                                              value=filter, description="filter bank", style={"button_width": "auto"})
        self.image_w = widgets.IntSlider(value=min(image, len(self.images) - 1), min=0, max=len(self.images) - 1,
                                         description="image", style=style, continuous_update=False)
        self.bank_note_w = widgets.HTML()
        self.image_view = PlaneView(width=image_px, height=image_px + 20, bounds=[0.0, 1.0], tints=GRAY)
        self.filtered_view = PlaneView(width=image_px, height=image_px + 20, bounds=[0.0, 1.0])
        self.status_w = widgets.HTML()
        for name, w in [("size", self.size_w), ("field", self.field_w), ("stride", self.stride_w),
                        ("pad", self.pad_w), ("dilation", self.dilation_w), ("c-in", self.c_in_w),
                        ("c-out", self.c_out_w), ("reseed", self.reseed_btn), ("step", self.step_w),
                        ("play", self.play), ("formula", self.formula_w), ("figure", self.figure_w),
                        ("dot", self.dot_w), ("im2col", self.im2col_w), ("filter", self.filter_w),
                        ("image", self.image_w), ("bank-note", self.bank_note_w), ("image-view", self.image_view),
                        ("filtered-view", self.filtered_view), ("status", self.status_w)]:
            w.add_class(f"cs231n-conv-{name}")
        heading = lambda text: widgets.HTML(f"<b>{text}</b>")
        super().__init__([
            widgets.HBox([widgets.VBox([self.size_w, self.field_w, self.stride_w, self.pad_w]),
                          widgets.VBox([self.dilation_w, self.c_in_w, self.c_out_w, self.reseed_btn])]),
            self.formula_w,
            widgets.HBox([self.step_w, self.play]),
            self.figure_w, self.dot_w,
            heading("im2col: one column per window (the current one in red), one row per (channel, tap)"),
            self.im2col_w,
            heading("A filter bank on a real image (same stride, padding and dilation)"),
            self.filter_w, self.image_w, self.bank_note_w,
            widgets.HBox([self.image_view, self.filtered_view]),
            self.status_w,
        ])
        self.add_class("cs231n-conv-demo")
        for w in (self.size_w, self.field_w, self.stride_w, self.pad_w, self.dilation_w, self.c_in_w, self.c_out_w):
            w.observe(lambda change: self.update(), names="value")
        self.reseed_btn.on_click(lambda b: self.reseed())
        self.step_w.observe(lambda change: self.draw_step(), names="value")
        self.filter_w.observe(lambda change: self._on_bank(), names="value")
        self.image_w.observe(lambda change: self._on_bank(), names="value")
        self.update()

    # ----- state -----------------------------------------------------------------------------------
    def setting(self):
        """``(H, F, S, P, D)`` from the sliders."""
        return (self.size_w.value, self.field_w.value, self.stride_w.value, self.pad_w.value, self.dilation_w.value)

    def reseed(self):
        """Other small integers in the input and the filters."""
        self.seed += 1
        self.update()

    @property
    def cells(self):
        return cm.slide_windows(self.geometry.out, self.geometry.out)

    # ----- compute and draw ------------------------------------------------------------------------
    def update(self):
        """Recompute everything for the current setting and redraw."""
        t0 = time.perf_counter()
        H, F, S, P, D = self.setting()
        self.geometry = g = cm.geometry(H, F, S, P, D)
        self.x, self.w, self.b = cm.small_example(H, self.c_in_w.value, self.c_out_w.value, F, self.seed)
        self.xp = np.pad(self.x, ((0, 0), (P, P), (P, P)))
        if g.errors:
            self.cols, self.out = np.zeros((self.x.shape[0] * F * F, 0)), np.zeros((len(self.w), 0, 0))
        else:
            self.cols = cm.im2col_matrix(self.x, F, S, P, D)
            flat = self.w.reshape(len(self.w), -1) @ self.cols + self.b[:, None]
            self.out = flat.reshape(len(self.w), g.out, g.out)
        self.formula_w.value = self._formula_html()
        last = max(len(self.cells) - 1, 0)
        self._quiet = True  # one draw for the new range
        try:
            self.step_w.max = self.play.max = last
            self.step_w.value = self.play.value = 0
        finally:
            self._quiet = False
        self.step_w.disabled = bool(g.errors)
        self.draw_step(t0, bank=True)

    def draw_step(self, t0=None, bank=False):
        """Draw the window of the current step (and the filter bank after a setting changed)."""
        if self._quiet:
            return
        t0 = time.perf_counter() if t0 is None else t0
        g, cells = self.geometry, self.cells
        k = min(self.step_w.value, len(cells) - 1)
        cell_rc = cells[k] if cells else None
        self.figure_w.value = sliding_svg(self.xp, g.pad, self.w, self.b, self.out, g, cell_rc)
        C, F = self.x.shape[0], g.field
        blocks = ", ".join(f"channel {c} in rows {c * F * F}..{(c + 1) * F * F - 1}" for c in range(C))
        current = (f"; the red column {k} is the window of output cell ({cell_rc[0]}, {cell_rc[1]}): the taps of "
                   f"{blocks}" if cells else "")
        self.im2col_w.value = (f"<span style='font-size:90%'>matrix {self.cols.shape[0]} x {self.cols.shape[1]} "
                               f"({C}&middot;{F}&middot;{F} rows, one per (channel, tap row, tap col); "
                               f"{g.out}&middot;{g.out} columns, one per window{current}). "
                               f"out ({len(self.w)} x {self.cols.shape[1]}) = W ({len(self.w)} x "
                               f"{self.cols.shape[0]}) @ columns + b</span><br>"
                               + im2col_svg(self.cols, k if cells else None))
        self.dot_w.value = self._dot_html(cell_rc)
        if bank:
            self.draw_bank()
        self._status(t0)

    def _status(self, t0):
        g, cells = self.geometry, self.cells
        self.last_update_s = time.perf_counter() - t0
        k = min(self.step_w.value, len(cells) - 1)
        where = (f"window {k + 1} of {len(cells)}: output cell (row {cells[k][0]}, col {cells[k][1]})" if cells
                 else "no window fits")
        bank = f"{cm.FILTERS[self.filter_w.value][0]} on image {self.image_w.value}"
        self.status_w.value = (f"<span style='font-size:90%'>H={g.size}, F={g.field}, S={g.stride}, P={g.pad}, "
                               f"D={g.dilation} &rarr; output {g.out} x {g.out} &middot; {where} &middot; "
                               f"filter bank: {html.escape(bank)} &middot; "
                               f"updated in {1e3 * self.last_update_s:.0f} ms</span>")

    def _formula_html(self):
        g = self.geometry
        text = f"H_out = (H + 2P - D(F-1) - 1)/S + 1 = {html.escape(g.formula())}"
        if g.valid:
            verdict = (f"<span style='color:#1a7f37'>&#10004; output {g.out} x {g.out} per filter; the dilated filter "
                       f"spans {g.extent} pixels</span>")
        else:
            fixes = "; ".join(words for _, _, words in cm.suggest_fixes(g)) or "change the setting"
            kind = "no output" if g.errors else f"PyTorch floors it to {g.out} (drawn so)"
            verdict = (f"<span style='color:#cf222e'>&#10008; {html.escape(' '.join(g.problems()))} ({kind}). "
                       f"To fix it: {html.escape(fixes)}.</span>")
        return f"<div style='font-family:monospace'>{text}</div><div>{verdict}</div>"

    def _dot_html(self, cell_rc):
        if cell_rc is None:
            return "<i>no output cell: nothing to compute</i>"
        values, window, products = cm.conv_output_cell(self.xp, self.w, self.b, *cell_rc, self.geometry.stride,
                                                       self.geometry.dilation)
        lines = []
        for k in range(len(self.w)):
            terms = " + ".join(f"{_num(xv)}&middot;{_num(wv) if wv >= 0 else f'({_num(wv)})'}"
                               for xv, wv in zip(window.ravel(), self.w[k].ravel()))
            lines.append(f"output {k}[{cell_rc[0]}, {cell_rc[1]}] = {terms} + bias {_num(self.b[k])} = "
                         f"<b>{_num(values[k])}</b>")
        return "<div style='font-family:monospace; font-size:85%'>" + "<br>".join(lines) + "</div>"

    def _on_bank(self):
        t0 = time.perf_counter()
        self.draw_bank()
        self._status(t0)

    def draw_bank(self):
        """The chosen filter on the chosen image, with the explorer's stride, padding and dilation."""
        image = self.images[self.image_w.value]
        kernel = cm.filter_kernel(self.filter_w.value, self.seed)
        _, _, S, P, D = self.setting()
        g = cm.geometry(image.shape[0], 3, S, P, D)
        notes = [self.data_message] if self.data_message else []
        if g.errors:
            notes.append(f"stride {S}, padding {P}, dilation {D} do not fit the {image.shape[0]}x{image.shape[0]} "
                         f"image with a 3x3 filter ({' '.join(g.errors)}); shown with stride 1, padding 1, dilation 1")
            S, P, D = 1, 1, 1
            g = cm.geometry(image.shape[0], 3, S, P, D)
        xp = np.pad(image / 255.0, P)
        if g.remainder:  # what PyTorch does: the rows and columns no window reaches are dropped
            xp = xp[:xp.shape[0] - g.remainder, :xp.shape[1] - g.remainder]
            notes.append(f"{g.span}/{S} is not an integer here: the last {g.remainder} row(s) and column(s) of the "
                         f"padded image are never reached, and are dropped (as PyTorch does)")
        note = "; ".join(notes)
        self.bank_out = cm.convolve(xp[None], kernel[None, None], None, S, 0, D)[0]
        levels, lo, hi = cm.to_levels(self.bank_out, LEVELS)
        signed = lo < 0
        caption = self.captions[self.image_w.value]
        with self.image_view.hold_sync():
            self.image_view.grid = image.shape[0]
            self.image_view.regions = label_bytes(cm.to_levels(image, LEVELS, signed=False)[0][::-1])
            self.image_view.title = caption
        with self.filtered_view.hold_sync():
            self.filtered_view.grid = self.bank_out.shape[0]
            self.filtered_view.tints = DIVERGING if signed else GRAY
            self.filtered_view.regions = label_bytes(levels[::-1])
            self.filtered_view.title = (f"{cm.FILTERS[self.filter_w.value][0]}: {self.bank_out.shape[0]}x"
                                        f"{self.bank_out.shape[0]}, {lo:.2f} to {hi:.2f}")
        k = "<br>".join(" ".join(f"{v:+.2f}" for v in row) for row in kernel)
        self.bank_note_w.value = (f"<span style='font-size:90%'><span style='font-family:monospace'>{k}</span>"
                                  f"<br>stride {S}, padding {P}, dilation {D}"
                                  f"{' &middot; ' + html.escape(note) if note else ''}"
                                  f"{' &middot; blue negative, red positive' if signed else ''}</span>")


def convolution_demo(**kwargs):
    """Build the convolution explorer; display it by making it the last expression of a cell.

    Keyword arguments go to :class:`ConvolutionDemo` (``size``, ``field``, ``stride``, ``pad``, ``dilation``,
    ``channels_in``, ``channels_out``, ``seed``, ``filter``, ``image``).
    """
    return ConvolutionDemo(**kwargs)

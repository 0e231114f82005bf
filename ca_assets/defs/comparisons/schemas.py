"""Pandera models of the comparisons stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.vocab import (
    LANGS,
    MAX_TURNS,
    POSITIONS,
    SAMPLERS,
    UNKNOWN_SAMPLER,
)


class Comparisons(Model):
    comparison_id: Series[str] = pa.Field(
        unique=True, **ID, description="Comparison id: hash of the annotation id and the rejected position"
    )
    annotation_id: Series[str] = pa.Field(**ID, description="Annotation (best-of-4 choice) the pair comes from")
    conversation_id: Series[str] = pa.Field(**ID, description="Conversation the annotated turn belongs to")
    set_id: Series[str] = pa.Field(**ID, description="Candidate set of four answers the annotator chose from")
    item_id: Series[str] = pa.Field(
        **ID, description="What the annotator saw: hash of the conversation so far and the four answer texts, in any order"
    )
    prompt_id: Series[str] = pa.Field(**ID, description="Id of the conversation's opening prompt")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the set (ISO 639 code)")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn of the conversation the choice was made at (1–4)")
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="How the set's answers were sampled: nc, iid, multi_model, or unknown for human files",
    )
    model: Series[str] = pa.Field(nullable=True, description="Model(s) that wrote the set, joined by '+'; null for human files' sets")
    annotator_id: Series[str] = pa.Field(description="Pseudonymous id of the annotator who chose")
    country: Series[str] = pa.Field(nullable=True, description="Annotator's country, lower case; null when a human file does not say")
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="Annotation source: simulated or human")
    is_pregenerated_first_prompt: Series[pd.BooleanDtype] = pa.Field(
        nullable=True,
        coerce=True,
        description="Whether the opening prompt was pregenerated (false: the annotator wrote it); null when a file does not say",
    )
    messages: Series[object] = pa.Field(description="Conversation so far as {role, content} messages, ending with the user's turn")
    prompt_text: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Text of the user's last message, which the answers respond to"
    )
    chosen_position: Series[str] = pa.Field(isin=POSITIONS, description="Position (a–d) of the chosen answer")
    rejected_position: Series[str] = pa.Field(isin=POSITIONS, description="Position (a–d) of the rejected answer")
    chosen_model: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Model that wrote the chosen answer; unknown for human files"
    )
    rejected_model: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Model that wrote the rejected answer; unknown for human files"
    )
    chosen_text: Series[str] = pa.Field(str_length={"min_value": 1}, description="Text of the chosen answer")
    rejected_text: Series[str] = pa.Field(str_length={"min_value": 1}, description="Text of the rejected answer")
    explanation: Series[str] = pa.Field(
        nullable=True, description="Annotator's explanation of the choice (a file's feedback); null when none given"
    )

    @pa.dataframe_check
    def chosen_differs_from_rejected(cls, frame) -> Series[bool]:
        return frame["chosen_position"] != frame["rejected_position"]

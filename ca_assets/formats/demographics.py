"""The demographic fields of the public Community Alignment release and their values (as REFERENCE.md lists
them), shared by simulated annotators, the fixture generator and the annotators table."""

AGES = ("18-34", "35-45", "46-54", "55+")
GENDERS = ("male", "female", "other", "prefer not to say")
EDUCATION_LEVELS = (
    "(At most) Complete Secondary",
    "Some post-secondary",
    "Post-secondary graduate",
    "Some or complete graduate degree",
    "Other",
)
# Left to right; the last two are the release's opt-outs.
POLITICAL_LEANINGS = ("Very left-leaning", "Left-leaning", "Moderate", "Right-leaning", "Very right-leaning")
POLITICAL_OPT_OUTS = ("I don't think of myself in this way", "Prefer not to say")
POLITICAL = (*POLITICAL_LEANINGS, *POLITICAL_OPT_OUTS)
# The release mixes US-style and country-specific categories; simulated annotators draw from this short list.
ETHNICITIES = ("White", "Black", "Asian", "Hispanic or Latino", "Mixed", "Other", "Prefer not to say")

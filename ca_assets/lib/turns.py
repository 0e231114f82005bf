"""The multi-turn protocol: up to four turns per conversation (the Community Alignment release's maximum).
Each turn's tables live in their own schema, so the turns show as separate boxes in the lineage graph; the
conversations of human files live in schema `human`."""

MAX_TURNS = 4
TURNS = tuple(range(1, MAX_TURNS + 1))


HUMAN = "human"  # the schema of conversations read from human annotation files, all turns together


def turn_schema(turn: int) -> str:
    if turn not in TURNS:
        raise ValueError(f"turn must be 1..{MAX_TURNS}, got {turn}")
    return f"turn_{turn}"


SOURCE_SCHEMAS = (*(turn_schema(t) for t in TURNS), HUMAN)  # what main's views union


def conversation_problem(messages, turn: int) -> str | None:
    """What is wrong with the messages a turn's answers respond to, or None: turn n holds 2n - 1 messages
    alternating user and assistant, starting and ending with the user, none empty."""
    messages = list(messages) if messages is not None else []
    if len(messages) != 2 * turn - 1:
        return f"{len(messages)} messages at turn {turn}"
    for index, message in enumerate(messages):
        if message["role"] != ("user" if index % 2 == 0 else "assistant"):
            return f"message {index + 1} has role {message['role']}"
        if not (message["content"] or "").strip():
            return f"message {index + 1} is empty"
    return None

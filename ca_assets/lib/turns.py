"""The multi-turn protocol's one rule on what a turn answers (the turns and their schemas: ca_assets/vocab.py)."""


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

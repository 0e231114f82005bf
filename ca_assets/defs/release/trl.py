"""TRL's conversational preference format, checked by our own small validator.

A row has `prompt`: a non-empty list of {"role", "content"} messages ending with a user turn (it may start
with a system message and hold earlier turns), and `chosen` / `rejected`: a list holding exactly one
assistant message each (the shape DPOTrainer and RewardTrainer read).
"""

from collections.abc import Iterable

ROLES = {"system", "user", "assistant"}


def _is_message(message: object, roles: set[str]) -> bool:
    return (
        isinstance(message, dict)
        and set(message) == {"role", "content"}
        and message["role"] in roles
        and isinstance(message["content"], str)
        and message["content"] != ""
    )


def trl_row_problems(prompt: Iterable, chosen: Iterable, rejected: Iterable) -> list[str]:
    """What is wrong with one row; empty when it has the exact TRL conversational preference shape."""
    problems = []
    prompt, chosen, rejected = list(prompt), list(chosen), list(rejected)
    if not prompt:
        problems.append("prompt is empty")
    elif not all(_is_message(m, ROLES) for m in prompt):
        problems.append("prompt holds something other than {role, content} messages")
    elif prompt[-1]["role"] != "user":
        problems.append("prompt does not end with a user message")
    for name, side in (("chosen", chosen), ("rejected", rejected)):
        if len(side) != 1 or not _is_message(side[0], {"assistant"}):
            problems.append(f"{name} is not exactly one assistant message")
    if not problems and chosen[0]["content"] == rejected[0]["content"]:
        problems.append("chosen and rejected are the same text")
    return problems

-- ca_turns: the rows of a Community Alignment CSV (`ca_rows`, registered from Python) as one row per
-- (file line, turn), cells trimmed, the `EMPTY STRING` marker read as empty. A turn is `used` when any of
-- its prompt, responses or label has text (a read, not a table).
with long as (
    unpivot ca_rows
    on
    (
        first_turn_prompt, first_turn_response_a, first_turn_response_b, first_turn_response_c,
        first_turn_response_d, first_turn_preferred_response, first_turn_feedback
    ) as "1",
    (
        second_turn_prompt, second_turn_response_a, second_turn_response_b, second_turn_response_c,
        second_turn_response_d, second_turn_preferred_response, second_turn_feedback
    ) as "2",
    (
        third_turn_prompt, third_turn_response_a, third_turn_response_b, third_turn_response_c,
        third_turn_response_d, third_turn_preferred_response, third_turn_feedback
    ) as "3",
    (
        fourth_turn_prompt, fourth_turn_response_a, fourth_turn_response_b, fourth_turn_response_c,
        fourth_turn_response_d, fourth_turn_preferred_response, fourth_turn_feedback
    ) as "4"
    into name turn value prompt, response_a, response_b, response_c, response_d, preferred, feedback
),

cleaned as (
    select
        source_line,
        trim(conversation_id) as conversation_id,
        turn::integer as turn,
        nullif(nullif(trim(prompt), ''), 'EMPTY STRING') as prompt,
        nullif(nullif(trim(response_a), ''), 'EMPTY STRING') as response_a,
        nullif(nullif(trim(response_b), ''), 'EMPTY STRING') as response_b,
        nullif(nullif(trim(response_c), ''), 'EMPTY STRING') as response_c,
        nullif(nullif(trim(response_d), ''), 'EMPTY STRING') as response_d,
        nullif(trim(preferred), '') as preferred,
        nullif(nullif(trim(feedback), ''), 'EMPTY STRING') as feedback,
        -- To tell an `EMPTY STRING` marker from a cell left blank.
        coalesce(
            'EMPTY STRING' in (trim(prompt), trim(response_a), trim(response_b), trim(response_c), trim(response_d)),
            false
        ) as has_empty_marker
    from long
)

select
    *,
    coalesce(prompt, response_a, response_b, response_c, response_d, preferred) is not null as used
from cleaned
order by source_line, turn

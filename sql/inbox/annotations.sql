-- human.annotations: one row per (conversation, turn) of the human files: the preferred response and the
-- feedback as the explanation, source 'human'. The files carry no timings.
create or replace table annotations as
with final as (
    select
        sha256('annotation:' || s.set_id)[:16]::varchar as annotation_id,
        s.conversation_id::varchar as conversation_id,
        s.turn::bigint as turn,
        t.annotator_id::varchar as annotator_id,
        s.set_id::varchar as set_id,
        replace(t.preferred, 'response_', '')::varchar as chosen_position,
        'abcd'::varchar as shown_order,  -- a Community Alignment file keeps no order: its columns' is the one known
        (instr('abcd', replace(t.preferred, 'response_', '')))::bigint as shown_position,
        'human'::varchar as source,
        t.feedback::varchar as explanation,
        null::double as seconds,
        'human'::varchar as chooser,
        null::varchar as chooser_raw,
        s.file_sha::varchar as file_sha,
        s.source_line::bigint as source_line
    from candidate_sets as s
    inner join main.human_turns as t
        on t.file_sha = s.file_sha and t.source_line = s.source_line and t.turn = s.turn
)

select * from final
order by annotation_id

-- annotations: one row per (conversation, turn): which of the four candidates the annotator chose (its position
-- a-d in the set, and where it was shown: shown_order is the order the annotator saw, 1-4 in shown_position), with the
-- explanation they wrote (if any), the seconds they took, and who chose: `human`, or for simulated annotators
-- `utility`, `llm_persona`, or `utility_after_llm_failed` (with the model's last output in chooser_raw).
-- A person's annotation keeps the file and line of their task result. Written per turn in schema turn_<n>;
-- main.annotations is the view over all turns.
create or replace table annotations as
with final as (
    select
        annotation_id::varchar as annotation_id,
        conversation_id::varchar as conversation_id,
        turn::bigint as turn,
        annotator_id::varchar as annotator_id,
        set_id::varchar as set_id,
        chosen_position::varchar as chosen_position,
        shown_order::varchar as shown_order,
        shown_position::bigint as shown_position,
        source::varchar as source,
        explanation::varchar as explanation,
        seconds::double as seconds,
        chooser::varchar as chooser,
        chooser_raw::varchar as chooser_raw,
        file_sha::varchar as file_sha,
        source_line::bigint as source_line
    from annotation_rows
)

select * from final
order by annotation_id

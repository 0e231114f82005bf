-- annotations: one row per (annotator, candidate set): which of the four candidates the annotator chose.
create or replace table annotations as
with final as (
    select
        annotation_id::varchar as annotation_id,
        annotator_id::varchar as annotator_id,
        set_id::varchar as set_id,
        chosen_position::varchar as chosen_position,
        source::varchar as source,
        explanation::varchar as explanation
    from annotation_rows
)

select * from final
order by annotation_id

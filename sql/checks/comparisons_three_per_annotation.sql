-- Offending annotations: each best-of-4 choice must expand to exactly three comparisons.
with per_annotation as (
    select
        an.annotation_id,
        count(c.comparison_id) as n_comparisons
    from annotations as an
    left join comparisons as c using (annotation_id)
    group by an.annotation_id
)

select * from per_annotation
where n_comparisons <> 3

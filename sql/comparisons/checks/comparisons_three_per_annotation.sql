-- Offending annotations: every annotation is either kept, expanding to exactly three comparisons, or in
-- quality_quarantine with none: annotations = kept + quarantined.
with per_annotation as (
    select
        an.annotation_id,
        count(c.comparison_id) as n_comparisons,
        count(q.annotation_id) > 0 as quarantined
    from annotations as an
    left join comparisons as c using (annotation_id)
    left join quality_quarantine as q using (annotation_id)
    group by an.annotation_id
)

select * from per_annotation
where (quarantined and n_comparisons <> 0) or (not quarantined and n_comparisons <> 3)

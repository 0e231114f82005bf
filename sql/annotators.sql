-- annotators: one row per annotator (pseudonymous id), with country, assigned language, the demographic
-- fields of the public Community Alignment release and, for simulated annotators, the parameters of their
-- choice model.
create or replace table annotators as
with final as (
    select
        annotator_id::varchar as annotator_id,
        country::varchar as country,
        assigned_lang::varchar as assigned_lang,
        source::varchar as source,
        age::varchar as age,
        gender::varchar as gender,
        education_level::varchar as education_level,
        ethnicity::varchar as ethnicity,
        political::varchar as political,
        ideal_trad_secular::double as ideal_trad_secular,
        ideal_surv_self::double as ideal_surv_self,
        position_bias::double as position_bias,
        sharpness::double as sharpness
    from annotator_rows
)

select * from final
order by annotator_id

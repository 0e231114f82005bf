-- annotators: one row per annotator (pseudonymous id), with country, assigned language, the demographic
-- fields of the public Community Alignment release and, for simulated annotators, the parameters of their
-- choice model (`careless`: clicks without reading, for quality control to find). Human annotators come from
-- the ingested files (human_turns, task_results): where the files give one annotator several countries or
-- languages (the release has a few), the most frequent is kept; fields no file gives stay null.
create or replace table annotators as
with simulated as (
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
        sharpness::double as sharpness,
        careless::boolean as careless
    from annotator_rows
),

people as (
    select annotator_id, country, assigned_lang, age, gender, education_level, ethnicity, political
    from human_turns
    union all
    select annotator_id, country, assigned_lang, age, gender, education_level, ethnicity, political
    from task_results
),

human as (
    select
        annotator_id,
        mode(country) as country,
        mode(assigned_lang) as assigned_lang,
        'human' as source,
        mode(age) as age,
        mode(gender) as gender,
        mode(education_level) as education_level,
        mode(ethnicity) as ethnicity,
        mode(political) as political
    from people
    group by annotator_id
),

final as (
    select * from simulated
    union all by name
    select * from human
)

select * from final
order by annotator_id

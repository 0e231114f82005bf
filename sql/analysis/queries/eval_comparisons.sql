-- eval_comparisons: one row per comparison with the features of both answers for the preference evaluation:
-- the answers' embeddings and their positions on the two IW axes from the value judge (null when unjudged).
select
    cm.comparison_id,
    cm.annotation_id,
    cm.prompt_id,
    cm.lang,
    cm.sampler,
    cm.country as cohort,
    ec.embedding as chosen_embedding,
    er.embedding as rejected_embedding,
    [vc.trad_secular, vc.surv_self] as chosen_values,
    [vr.trad_secular, vr.surv_self] as rejected_values
from comparisons as cm
inner join candidates as cc
    on cc.set_id = cm.set_id and cc.position = cm.chosen_position
inner join candidates as cr
    on cr.set_id = cm.set_id and cr.position = cm.rejected_position
inner join candidate_embeddings as ec on ec.candidate_id = cc.candidate_id
inner join candidate_embeddings as er on er.candidate_id = cr.candidate_id
left join candidate_values as vc on vc.candidate_id = cc.candidate_id
left join candidate_values as vr on vr.candidate_id = cr.candidate_id
order by cm.comparison_id

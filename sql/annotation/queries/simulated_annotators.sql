-- simulated_annotators: the annotators whose choices the pipeline simulates (a read, not a table).
select *
from annotators
where source = 'simulated'
order by annotator_id

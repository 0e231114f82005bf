-- generation_quarantine over every turn (each turn writes turn_<n>.generation_quarantine).
create or replace view main.generation_quarantine as
select * from turn_1.generation_quarantine
union all by name
select * from turn_2.generation_quarantine
union all by name
select * from turn_3.generation_quarantine
union all by name
select * from turn_4.generation_quarantine

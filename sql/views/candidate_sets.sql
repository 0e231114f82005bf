-- candidate_sets over every turn (each turn writes turn_<n>.candidate_sets).
create or replace view main.candidate_sets as
select * from turn_1.candidate_sets
union all by name
select * from turn_2.candidate_sets
union all by name
select * from turn_3.candidate_sets
union all by name
select * from turn_4.candidate_sets

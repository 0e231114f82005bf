-- candidate_values over every turn (each turn writes turn_<n>.candidate_values).
create or replace view main.candidate_values as
select * from turn_1.candidate_values
union all by name
select * from turn_2.candidate_values
union all by name
select * from turn_3.candidate_values
union all by name
select * from turn_4.candidate_values

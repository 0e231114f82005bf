-- generation_requests over every turn (each turn writes turn_<n>.generation_requests).
create or replace view main.generation_requests as
select * from turn_1.generation_requests
union all by name
select * from turn_2.generation_requests
union all by name
select * from turn_3.generation_requests
union all by name
select * from turn_4.generation_requests

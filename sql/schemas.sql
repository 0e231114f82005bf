-- schemas: one per conversation turn (the protocol's maximum is 4 turns), each holding that turn's user_turns,
-- candidate_sets, candidates, generation_requests, generation_quarantine, candidate_values and annotations;
-- and `human`, the same tables for conversations read from human annotation files. main holds views over all
-- of them under the same names.
create schema if not exists turn_1;
create schema if not exists turn_2;
create schema if not exists turn_3;
create schema if not exists turn_4;
create schema if not exists human;

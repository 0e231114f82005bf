-- cache.embeddings: one vector per (model, distinct text), kept across runs so a text is embedded once.
-- Not an asset: a cache the embedding assets read through. Deleting it costs only re-embedding time.
create schema if not exists cache;
create table if not exists cache.embeddings (
    model varchar not null,      -- Embedder.model_identity
    text_sha varchar not null,   -- sha256 of the text's UTF-8 bytes
    dim integer not null,
    embedding float[] not null,
    primary key (model, text_sha)
);

"""The base of every Pandera model: strict, so a column a model does not declare fails its check and nothing
ships unnoticed (a release file built with `select *` included)."""

import pandera.pandas as pa

ID = {"str_length": {"min_value": 8, "max_value": 64}}


class Model(pa.DataFrameModel):
    class Config:
        strict = True

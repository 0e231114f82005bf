"""Every stage's union views (main.<table> over the turns and the human files), for tests and benchmarks that
materialize a slice of the graph."""

from ca_assets.defs.annotation.assets import annotation_views
from ca_assets.defs.generation.assets import generation_views
from ca_assets.defs.values.assets import values_views

view_assets = [*generation_views, *values_views, *annotation_views]

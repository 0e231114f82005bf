"""Live annotation: a web app where people choose the best of four over up to four turns, each next set generated
as they go (docs/annotate.md). It reads the pipeline's task export, keeps its own store, and hands completed work to
the pipeline as task-results files in the inbox."""

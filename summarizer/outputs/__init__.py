"""What a run writes: the article record, the per-article writers, the index and story pages, atomic file writes."""

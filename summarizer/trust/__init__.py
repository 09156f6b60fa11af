"""What makes a summary checkable: provenance, the fact check, annotations and story grouping."""

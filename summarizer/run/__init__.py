"""A run: plans the engines, drives reading, translation, summarization and writing; owns no model code."""

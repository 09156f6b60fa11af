"""What is asked of a model: sentence translation and chunked summarization, batching, fitting, settings, loop guards."""

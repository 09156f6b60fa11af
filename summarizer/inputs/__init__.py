"""Reading every input kind into articles: plain text and its structure, segmentation, language, dates; HTML, feeds, JSON and URLs."""

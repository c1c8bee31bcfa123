"""Domain lexicon and language-model data, and the code that builds them."""

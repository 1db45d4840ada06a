"""Text helpers shared by chat and explanations: language detection, the multilingual
lexicon of attribute and mood words, and finding catalog titles in text."""

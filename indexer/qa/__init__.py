"""Question answering over parsed session records (see `indexer.answer`)."""

"""Trợ lý BHXH on Rasa: training data (``bot/data``), actions (``bot/actions``), NLU components."""

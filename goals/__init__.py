"""The board's goals in the traffic-light model: definitions, evaluation, history, files."""

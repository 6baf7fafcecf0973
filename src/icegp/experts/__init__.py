"""The local-expert layer: where experts sit and the data each sees (selection), training a shard of
experts, smoothing their hyperparameters, and predicting with them."""

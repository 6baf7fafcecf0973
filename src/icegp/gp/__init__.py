"""Local-expert Gaussian processes: hyperparameters in physical units, a GPflow reference engine and a
fast batched engine behind one interface. Importing this package does not import TensorFlow."""

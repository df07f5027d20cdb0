"""Questions of the exercise notebooks, one module per notebook (``ex00`` ... )."""

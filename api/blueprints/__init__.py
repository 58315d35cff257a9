"""One blueprint module per URL collection."""

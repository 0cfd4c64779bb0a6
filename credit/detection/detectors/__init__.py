"""One module per detector; `credit.detection.registry` lists them."""

"""One module per detector, each defining DETECTOR; `credit.detection.registry` discovers them."""

"""Imports: lineage datasets (Hugging Face model cards, Ecosystem Graphs, Epoch AI)
turned into overlay fact files with their original positions. Reads :mod:`lineage.facts`
(for the crosswalk) and writes YAML; nothing else of ours."""

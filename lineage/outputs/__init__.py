"""Outputs: the evolution tree (render), RDF export, vocabulary and shapes (rdf,
shacl), SPARQL locally and against endpoints (sparql) and the offline site (site)."""

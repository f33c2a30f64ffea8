"""The store: the compiled, query-ready form of the facts (index), kept between runs
(cache) and, for those who want one, as a networkx graph (compiler). Reads
:mod:`lineage.facts`."""

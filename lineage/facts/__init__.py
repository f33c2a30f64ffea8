"""Facts: the records of ``graph/*.yaml`` (model), read with positions (loader), checked
by rules (validate). The first stage of the pipeline; it imports nothing else of ours
but :mod:`lineage.errors`."""

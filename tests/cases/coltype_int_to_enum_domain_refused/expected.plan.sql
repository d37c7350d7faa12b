-- no plan: the diff has the gap column-type-cast; its statements, run directly:


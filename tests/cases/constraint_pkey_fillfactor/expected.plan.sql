-- no plan: the diff has the gap constraint-index; its statements, run directly:


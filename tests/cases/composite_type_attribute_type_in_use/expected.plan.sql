-- no plan: the diff has the gap type-in-use; its statements, run directly:


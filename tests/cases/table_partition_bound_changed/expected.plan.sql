-- no plan: the diff has the gap unhandled; its statements, run directly:


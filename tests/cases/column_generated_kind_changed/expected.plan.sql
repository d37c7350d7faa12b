-- no plan: the diff has the gap generated-kind; its statements, run directly:


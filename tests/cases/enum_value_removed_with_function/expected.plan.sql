-- no plan: the diff has the gap enum-recreated; its statements, run directly:


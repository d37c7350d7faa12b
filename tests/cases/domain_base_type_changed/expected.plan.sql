-- no plan: the diff has the gap domain-base-type; its statements, run directly:


"""公示: public notice of a round's adopted result, a plan or an owners' decision, with
objections (异议) that staff answer publicly before the ideas may be funded."""

"""How the partners work together: the Ottawa matrix of a contract's fiches-actions and the
partnership network of the territory's structures. Reads only, computed on demand, each in a
fixed number of queries."""

"""Forms of contracts, axes and fiches-actions, one module per entity as the pages are: French
labels, nothing lost on a bad entry. `common` holds what several of them share."""
